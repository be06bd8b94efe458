-- The case's first activity (case order: timestamp, event_seq) is one of $P_activities.
coalesce(list_contains($P_activities, c.first_activity), false)
