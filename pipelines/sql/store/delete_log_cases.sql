-- Remove one log's rows from cases (inside the ingest transaction).
delete from cases where log = $log
