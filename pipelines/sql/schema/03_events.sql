-- The canonical events, stored sorted by (log, case_idx, case_pos); next_* columns are the
-- directly-following event in case order (timestamp, event_seq), materialised at ingest, with
-- the flags that turn 'cases per edge/activity' into plain counts (no count(distinct)).
create table if not exists events (
    log varchar not null,
    case_id varchar not null,
    case_idx integer not null,
    case_pos integer not null,
    activity varchar not null,
    timestamp timestamptz not null,
    resource varchar,
    lifecycle varchar,
    team varchar,
    event_seq bigint not null,
    source_file integer not null,
    source_row bigint not null,
    next_activity varchar,
    next_timestamp timestamptz,
    next_resource varchar,
    next_team varchar,
    next_lifecycle varchar,
    next_gap_us bigint,                  -- microseconds to the next event of the case (null at its end)
    first_edge_in_case boolean not null, -- first (activity, next_activity) pair of its kind in the case
    first_activity_in_case boolean not null, -- first event of its activity in the case
    attributes map(varchar, varchar)
)
