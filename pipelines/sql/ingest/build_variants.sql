-- Distinct traces; variant 1 is the most frequent (ties broken by the activity sequence).
create or replace table vr as
with traces as (
    select case_idx, list(activity order by case_pos) as trace
    from ev
    group by case_idx
)
select
    $log as log,
    cast(row_number() over (order by count(*) desc, trace) as integer) as variant_id,
    trace as activities,
    cast(count(*) as integer) as n_cases,
    list(case_idx) as case_idxs
from traces
group by trace
