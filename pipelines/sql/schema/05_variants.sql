-- Distinct activity sequences of a log; variant_id 1 is the most frequent.
create table if not exists variants (
    log varchar not null,
    variant_id integer not null,
    activities varchar[] not null,
    n_cases integer not null
)
