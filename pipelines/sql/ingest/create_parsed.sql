-- Canonical role values of every raw row (from pipelines.etl.transforms), rejects included.
create table parsed (
    __file integer not null,
    __row bigint not null,
    event_seq bigint not null,
    case_id varchar,
    activity varchar,
    resource varchar,
    lifecycle varchar,
    team varchar,
    priority varchar,
    channel varchar,
    category varchar,
    customer varchar,
    timestamp timestamptz,
    reject_column varchar,
    reject_reason varchar
)
