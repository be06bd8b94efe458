-- One row per case, with its materialised summary and variant.
create table if not exists cases (
    log varchar not null,
    case_id varchar not null,
    case_idx integer not null,
    start_time timestamptz not null,
    end_time timestamptz not null,
    duration_s double not null,
    n_events integer not null,
    n_activities integer not null,
    first_activity varchar not null,
    last_activity varchar not null,
    variant_id integer not null,
    is_closed boolean not null,
    priority varchar,
    channel varchar,
    category varchar,
    team varchar,
    customer varchar,
    attributes map(varchar, varchar)
)
