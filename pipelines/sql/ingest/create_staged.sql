-- The accepted events of this ingest (plus, when appending, the log's existing events).
create table staged (
    case_id varchar not null,
    activity varchar not null,
    timestamp timestamptz not null,
    resource varchar,
    lifecycle varchar,
    team varchar,
    priority varchar,
    channel varchar,
    category varchar,
    customer varchar,
    event_seq bigint not null,
    source_file integer not null,
    source_row bigint not null,
    attributes map(varchar, varchar),
    case_attributes map(varchar, varchar)
)
