-- Every directly-follows transition of the cases in scope with its duration in seconds
-- (the timing side of the process-map delta).
select e.activity as source, e.next_activity as target, e.next_gap_us / 1e6 as gap_s
from events e
where e.log = $log
  and e.next_activity is not null
  and {{events_where}}
