-- Source rows that could not be loaded, with the reason: nothing is dropped without a trace.
create table if not exists rejects (
    log varchar not null,
    source_file varchar not null,
    source_row bigint,
    column_name varchar,
    raw varchar,
    reason varchar not null
)
