-- Intervals whose status is a pause activity, as of $as_of_us: from a pause event to the next event
-- of its case (or to $as_of_us when none came by then). Microseconds since the epoch (UTC).
select
    e.case_idx,
    epoch_us(e.timestamp) as start_us,
    least(coalesce(epoch_us(e.next_timestamp), $as_of_us), $as_of_us) as end_us
from events e
where e.log = $log
  and epoch_us(e.timestamp) <= $as_of_us
  and list_contains($pause::varchar[], e.activity)
  and {{events_where}}
order by e.case_idx, e.case_pos
