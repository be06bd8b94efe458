-- A log's events in case order (timestamp, event_seq), optionally for some cases only.
select
    e.case_id, e.case_pos, e.activity, e.timestamp, e.resource, e.lifecycle, e.team,
    e.event_seq, e.source_file, e.source_row, e.attributes
from events e
where e.log = $log
  and {{events_where}}
  and (len($case_ids) = 0 or list_contains($case_ids, e.case_id))
order by e.case_idx, e.case_pos
