select
    log, n_cases, n_events, n_activities, n_variants, start_time, end_time,
    rows_read, rows_loaded, rows_rejected, source_timezone, source_files, source_sha256,
    ingested_at, ingest_version, generation, mapping, options, case_attributes,
    event_attributes, warnings, quality
from logs
order by log
