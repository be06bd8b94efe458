-- The cases in scope and the span of their events (for per-month rates), in microseconds.
select
    count(*) as cases,
    epoch_us(min(c.start_time)) as first_us,
    epoch_us(max(c.end_time)) as last_us
from cases c
where c.log = $log
  and {{cases_where}}
