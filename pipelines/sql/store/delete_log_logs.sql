-- Remove one log's rows from logs (inside the ingest transaction).
delete from logs where log = $log
