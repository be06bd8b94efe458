-- Key/value facts about the warehouse itself (schema_version, generation counter).
create table if not exists meta (
    key varchar primary key,
    value varchar not null
)
