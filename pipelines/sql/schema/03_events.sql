-- The canonical events, stored sorted by (log, case_idx, case_pos); next_* columns are the
-- directly-following event in case order (timestamp, event_seq), materialised at ingest.
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
    attributes map(varchar, varchar)
)
