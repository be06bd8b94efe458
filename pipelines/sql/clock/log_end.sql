-- The instant SLA clocks are read at by default: the latest event time of the whole log (a filter
-- does not move it), in microseconds since the epoch.
select epoch_us(l.end_time) as end_us
from logs l
where l.log = $log
