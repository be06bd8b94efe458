-- Exact duplicate events: same case, activity, timestamp, resource, lifecycle, team and attributes.
with groups as (
    select case_id, count(*) as n
    from ev
    group by case_id, activity, timestamp, resource, lifecycle, team, attributes
    having count(*) > 1
)
select coalesce(sum(n - 1), 0) as n_extra, count(distinct case_id) as n_cases, list(distinct case_id)[1:5] as examples
from groups
