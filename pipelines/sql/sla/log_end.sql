-- The default `as_of` of the SLA clocks: the latest event time of the whole log (a filter does
-- not move it), in microseconds since the epoch.
select epoch_us(l.end_time) as end_us
from logs l
where l.log = $log
