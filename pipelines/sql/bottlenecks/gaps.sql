-- Gaps between consecutive events of a case (a relation spliced into other statements as
-- the `gaps` fragment; it reads the relation `instances` defined by the enclosing statement).
-- A gap is in_progress when some activity instance of the case is open across it (its start at or
-- before the gap's source event, its complete at or after the target event); otherwise it is
-- waiting. Waiting is attributed to the transition (source -> target activity), to the target
-- activity, resource and team, and to the source resource and team.
select
    e.case_idx,
    e.activity as source,
    e.next_activity as target,
    e.next_activity as activity,
    e.next_resource as resource,
    e.next_team as team,
    e.resource as source_resource,
    e.team as source_team,
    epoch_us(e.next_timestamp) - epoch_us(e.timestamp) as gap_us,
    exists (
        select 1
        from instances i
        where i.case_idx = e.case_idx
          and i.start_pos <= e.case_pos
          and i.complete_pos > e.case_pos
    ) as in_progress
from events e
where e.log = $log
  and e.next_activity is not null
  and {{events_where}}
