-- Rework per activity: occurrences beyond the first in a case, and the cases with any.
with occurrences as (
    {{occurrences}}
),
per_case as (
    select activity, case_idx, count(*) - 1 as repeats
    from occurrences
    group by activity, case_idx
    having count(*) > 1
),
scope_cases as (
    select count(*) as n
    from cases c
    where c.log = $log
      and {{cases_where}}
)
select
    p.activity,
    sum(p.repeats) as repeats,
    count(*) as cases,
    count(*) / s.n as share_of_cases
from per_case p
cross join scope_cases s
group by p.activity, s.n
order by repeats desc, cases desc, p.activity
