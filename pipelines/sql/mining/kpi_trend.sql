-- Cases opened and closed per period, with the median/p90 duration of the cases closed in it.
with opened as (
    select date_trunc($period, c.start_time) as period, count(*) as cases_opened
    from cases c
    where c.log = $log and {{cases_where}}
    group by 1
),
closed as (
    select
        date_trunc($period, c.end_time) as period,
        count(*) as cases_closed,
        quantile_cont(c.duration_s, 0.5) as median_duration_s,
        quantile_cont(c.duration_s, 0.9) as p90_duration_s
    from cases c
    where c.log = $log and c.is_closed and {{cases_where}}
    group by 1
)
select
    coalesce(o.period, d.period) as period_start,
    coalesce(o.cases_opened, 0) as cases_opened,
    coalesce(d.cases_closed, 0) as cases_closed,
    d.median_duration_s,
    d.p90_duration_s
from opened o
full outer join closed d on o.period = d.period
order by period_start
