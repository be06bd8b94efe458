-- The distinct resources of the cases in scope (for coding events in numpy).
select distinct e.resource
from events e
where e.log = $log
  and e.resource is not null
  and {{events_where}}
order by e.resource
