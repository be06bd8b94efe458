-- Values of role columns that look like a missing-value marker ('NULL', 'N/A', '-'...).
select role, value, count(*) as n
from (
    select 'resource' as role, resource as value from ev
    union all select 'team', team from ev
    union all select 'activity', activity from ev
    union all select 'case_id', case_id from ev
)
where lower(value) in ('null', 'n/a', 'na', 'nan', 'none', '-', '?', 'undefined', '#n/a')
group by role, value
order by n desc
