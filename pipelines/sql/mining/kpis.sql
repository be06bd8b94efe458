-- Headline numbers of the cases in scope; durations of closed cases only (open ones are censored).
select
    count(*) as cases,
    coalesce(sum(c.n_events), 0) as events,
    count(*) filter (where c.is_closed) as closed_cases,
    count(*) filter (where not c.is_closed) as open_cases,
    count(distinct c.variant_id) as variants,
    quantile_cont(c.duration_s, 0.5) filter (where c.is_closed) as median_duration_s,
    quantile_cont(c.duration_s, 0.9) filter (where c.is_closed) as p90_duration_s,
    avg(c.duration_s) filter (where c.is_closed) as mean_duration_s,
    avg(c.n_events) as mean_events_per_case,
    min(c.start_time) as start_time,
    max(c.end_time) as end_time
from cases c
where c.log = $log
  and {{cases_where}}
