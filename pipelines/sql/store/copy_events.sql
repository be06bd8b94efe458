insert into events
select log, case_id, case_idx, case_pos, activity, timestamp, resource, lifecycle, team, event_seq,
       source_file, source_row, next_activity, next_timestamp, next_resource, next_team, next_lifecycle,
       next_gap_us, first_edge_in_case, first_activity_in_case, attributes
from stg.ev
order by case_idx, case_pos
