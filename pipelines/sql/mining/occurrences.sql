-- Activity occurrences, deskmine's *steps* (a relation spliced into other statements as the
-- `occurrences` fragment; hand-offs, rework, automation steps and macros all read it): the events
-- that stand for one occurrence of an activity, i.e. all events except lifecycle progress markers
-- (schedule, assign, reassign, start, suspend, resume; case-insensitive), in case order, with the
-- previous occurrence's activity in the case. Columns: case_idx, case_pos, activity, resource, t_us
-- (microseconds since the epoch), prev_activity.
select
    e.case_idx,
    e.case_pos,
    e.activity,
    e.resource,
    epoch_us(e.timestamp) as t_us,
    lag(e.activity) over (partition by e.case_idx order by e.case_pos) as prev_activity
from events e
where e.log = $log
  and (e.lifecycle is null
       or lower(e.lifecycle) not in ('schedule', 'assign', 'reassign', 'start', 'suspend', 'resume'))
  and {{events_where}}
