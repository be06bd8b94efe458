-- Activities with their event and case counts.
select e.activity, count(*) as frequency, count(*) filter (where e.first_activity_in_case) as cases
from events e
where e.log = $log
  and {{events_where}}
group by e.activity
order by frequency desc, activity
