-- The case has at least one event of one of $P_activities (its variant's trace says so).
exists (
    select 1
    from variants P_v
    where P_v.log = c.log
      and P_v.variant_id = c.variant_id
      and list_has_any(P_v.activities, $P_activities)
)
