-- Remove one log's rows from events (inside the ingest transaction).
delete from events where log = $log
