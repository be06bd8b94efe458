-- The activities of the cases in scope with their events and the cases that have them (a case's
-- first event of an activity carries first_activity_in_case).
select
    e.activity,
    count(*) as n_events,
    count(*) filter (where e.first_activity_in_case) as cases
from events e
where e.log = $log
  and {{events_where}}
group by e.activity
order by e.activity
