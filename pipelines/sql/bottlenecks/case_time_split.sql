-- Per case: duration split into processing (some activity instance open) and waiting (none open).
with instances as (
    {{instances}}
),
gaps as (
    {{gaps}}
),
split as (
    select
        case_idx,
        coalesce(sum(gap_us) filter (where in_progress), 0) as processing_us,
        coalesce(sum(gap_us) filter (where not in_progress), 0) as waiting_us
    from gaps
    group by case_idx
)
select
    c.case_id,
    c.duration_s,
    coalesce(s.processing_us, 0) / 1e6 as processing_s,
    coalesce(s.waiting_us, 0) / 1e6 as waiting_s
from cases c
left join split s on s.case_idx = c.case_idx
where c.log = $log
  and {{cases_where}}
order by c.case_idx
