-- The events of the cases in scope in case order (timestamp, event_seq), for the SLA clock core and
-- replays in numpy: case, activity and resource as 0-based codes in the sorted lists of
-- clock/activities and clock/resources (-1: missing resource), and the time in microseconds since
-- the epoch.
with acts as (
    select activity, row_number() over (order by activity) - 1 as code
    from (select distinct e.activity from events e where e.log = $log and {{events_where}})
),
res as (
    select resource, row_number() over (order by resource) - 1 as code
    from (select distinct e.resource from events e
          where e.log = $log and e.resource is not null and {{events_where}})
)
select
    e.case_idx,
    a.code as activity_code,
    coalesce(r.code, -1) as resource_code,
    epoch_us(e.timestamp) as t_us
from events e
join acts a on a.activity = e.activity
left join res r on r.resource = e.resource
where e.log = $log
  and {{events_where}}
order by e.case_idx, e.case_pos
