-- One row per named log: where it came from, how it was mapped, what was loaded and rejected.
create table if not exists logs (
    log varchar primary key,
    source_files varchar[] not null,
    source_sha256 varchar[] not null,
    ingested_at timestamptz not null,
    ingest_version varchar not null,
    generation bigint not null,          -- bumps on every change of this log (cache keys)
    mapping json not null,               -- role -> {column, reason}
    options json not null,               -- timezone, dayfirst, formats, nulls, end activities...
    source_timezone varchar not null,    -- zone assumed for zone-less timestamps
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    n_cases bigint not null,
    n_events bigint not null,
    n_activities bigint not null,
    n_variants bigint not null,
    start_time timestamptz,
    end_time timestamptz,
    case_attributes varchar[] not null,
    event_attributes varchar[] not null,
    warnings json not null,              -- list of strings shown in the ingest summary
    quality json not null                -- list of quality checks (see pipelines/etl/quality.py)
)
