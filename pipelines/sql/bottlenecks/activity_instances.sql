-- The activity instances (matched start/complete pairs) of the cases in scope, in case order.
with instances as (
    {{instances}}
)
select
    c.case_id,
    i.activity,
    i.start_pos,
    i.complete_pos,
    i.start_time,
    i.complete_time,
    i.processing_us / 1e6 as processing_s,
    i.resource,
    i.team
from instances i
join cases c on c.log = $log and c.case_idx = i.case_idx
order by i.case_idx, i.start_pos
