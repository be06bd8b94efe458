-- Events that share their timestamp with another event of the same case.
with groups as (
    select case_id, count(*) as n
    from ev
    group by case_idx, case_id, timestamp
    having count(*) > 1
)
select coalesce(sum(n), 0) as n_events, count(distinct case_id) as n_cases, list(distinct case_id)[1:5] as examples
from groups
