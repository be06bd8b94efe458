insert into logs (
    log, source_files, source_sha256, ingested_at, ingest_version, generation, mapping, options,
    source_timezone, rows_read, rows_loaded, rows_rejected, n_cases, n_events, n_activities,
    n_variants, start_time, end_time, case_attributes, event_attributes, warnings, quality
)
select
    $log, $source_files, $source_sha256, now(), $ingest_version,
    (select cast(value as bigint) + 1 from meta where key = 'generation'),
    $mapping, $options, $source_timezone, $rows_read, $rows_loaded, $rows_rejected,
    $n_cases, $n_events, $n_activities, $n_variants, $start_time, $end_time,
    $case_attributes, $event_attributes, $warnings, $quality
