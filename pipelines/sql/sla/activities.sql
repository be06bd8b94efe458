-- Activities of the cases in scope with their event counts (status codes and FCR defaults).
select e.activity, count(*) as n_events
from events e
where e.log = $log
  and {{events_where}}
group by e.activity
order by e.activity
