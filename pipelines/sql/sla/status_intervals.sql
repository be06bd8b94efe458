-- Every status interval as of $as_of_us: from each event to the next event of its case (or to
-- $as_of_us), with the status (the event's activity) and the next status as 1-based positions in
-- $activities (0 = no next event by then). Microseconds since the epoch (UTC).
select
    e.case_idx,
    list_position($activities::varchar[], e.activity) as status_code,
    case when epoch_us(e.next_timestamp) <= $as_of_us
         then list_position($activities::varchar[], e.next_activity) else 0 end as next_code,
    epoch_us(e.timestamp) as start_us,
    least(coalesce(epoch_us(e.next_timestamp), $as_of_us), $as_of_us) as end_us
from events e
where e.log = $log
  and epoch_us(e.timestamp) <= $as_of_us
  and {{events_where}}
order by e.case_idx, e.case_pos
