-- One scan for the whole map (frequency only): every event falls in exactly one group (activity,
-- next_activity), the case's last event in the group whose next_activity is null. Summed per activity
-- the groups give the activity's events and cases; the null groups are the end activities.
select
    e.activity as source,
    e.next_activity as target,
    count(*) as frequency,
    count(*) filter (where e.first_edge_in_case) as cases,
    count(*) filter (where e.first_activity_in_case) as activity_cases
from events e
where e.log = $log
  and {{events_where}}
group by e.activity, e.next_activity
