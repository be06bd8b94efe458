-- Variants of the cases in scope, with their counts and durations.
with per_variant as (
    select
        c.variant_id,
        count(*) as cases,
        median(c.duration_s) as median_duration_s,
        avg(c.duration_s) as mean_duration_s
    from cases c
    where c.log = $log
      and {{cases_where}}
    group by c.variant_id
)
select p.variant_id, v.activities, len(v.activities) as n_events, p.cases,
       p.median_duration_s, p.mean_duration_s
from per_variant p
join variants v on v.log = $log and v.variant_id = p.variant_id
order by p.cases desc, p.variant_id
