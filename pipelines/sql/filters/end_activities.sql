-- The case's last activity (case order: timestamp, event_seq) is one of $P_activities.
coalesce(list_contains($P_activities, c.last_activity), false)
