-- Activity occurrences (a relation spliced into other statements as the `occurrences` fragment):
-- the events that stand for one occurrence of an activity, i.e. all events except lifecycle
-- progress markers (schedule, assign, reassign, start, suspend, resume; case-insensitive), with
-- the previous occurrence's activity in the case. Columns: case_idx, case_pos, activity,
-- prev_activity.
select
    e.case_idx,
    e.case_pos,
    e.activity,
    lag(e.activity) over (partition by e.case_idx order by e.case_pos) as prev_activity
from events e
where e.log = $log
  and (e.lifecycle is null
       or lower(e.lifecycle) not in ('schedule', 'assign', 'reassign', 'start', 'suspend', 'resume'))
  and {{events_where}}
