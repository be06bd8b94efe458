-- Activity instances (a relation spliced into other statements as the `instances` fragment): each lifecycle
-- `start` paired with the next `complete` of the same activity in its case, first in first out.
-- Lifecycle values are compared case-insensitively; every other event is an instant event.
-- FIFO pairing per (case, activity) as a walk over its start (+1) / complete (-1) events:
-- x is the running sum and floor_before the running minimum before the event, floored at 0.
-- A complete with x < floor_before finds no open start (unmatched); otherwise it is the k-th
-- matched complete (k = completes so far + floor_before) and closes the k-th start
-- (starts so far = (n_events + x) / 2, completes so far = (n_events - x) / 2).
-- Starts beyond the matched completes are never closed (unmatched) and form no instance.
-- Columns: case_idx, activity, start_pos, complete_pos (case_pos of the two events), start_time,
-- complete_time, resource, team (of the start event), prev_activity (activity of the event before
-- the start; null when the start is the case's first event), processing_us (complete - start).
with started as (
    select distinct e.case_idx, e.activity
    from events e
    where e.log = $log
      and lower(e.lifecycle) = 'start'
      and {{events_where}}
),
lifecycle_events as (
    select
        e.case_idx, e.case_pos, e.activity, e.timestamp, e.resource, e.team,
        lower(e.lifecycle) = 'start' as is_start
    from events e
    semi join started s on s.case_idx = e.case_idx and s.activity = e.activity
    where e.log = $log
      and lower(e.lifecycle) in ('start', 'complete')
),
walk as (
    select
        *,
        sum(case when is_start then 1 else -1 end) over upto as x,
        row_number() over upto as n_events
    from lifecycle_events
    window upto as (partition by case_idx, activity order by case_pos
                    rows between unbounded preceding and current row)
),
floored as (
    select
        *,
        least(0, coalesce(min(x) over (partition by case_idx, activity order by case_pos
                                       rows between unbounded preceding and 1 preceding), 0)) as floor_before
    from walk
),
opens as (
    select case_idx, activity, (n_events + x) // 2 as k, case_pos as start_pos, timestamp as start_time, resource, team
    from floored
    where is_start
),
closes as (
    select case_idx, activity, (n_events - x) // 2 + floor_before as k, case_pos as complete_pos, timestamp as complete_time
    from floored
    where not is_start and x >= floor_before
)
select
    o.case_idx,
    o.activity,
    o.start_pos,
    c.complete_pos,
    o.start_time,
    c.complete_time,
    o.resource,
    o.team,
    p.activity as prev_activity,
    epoch_us(c.complete_time) - epoch_us(o.start_time) as processing_us
from opens o
join closes c on c.case_idx = o.case_idx and c.activity = o.activity and c.k = o.k
left join events p on p.log = $log and p.case_idx = o.case_idx and p.case_pos = o.start_pos - 1
