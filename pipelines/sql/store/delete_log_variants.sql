-- Remove one log's rows from variants (inside the ingest transaction).
delete from variants where log = $log
