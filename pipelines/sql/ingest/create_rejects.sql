create table rejects_out (
    log varchar not null,
    source_file varchar not null,
    source_row bigint,
    column_name varchar,
    raw varchar,
    reason varchar not null
)
