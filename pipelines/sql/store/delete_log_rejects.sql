-- Remove one log's rows from rejects (inside the ingest transaction).
delete from rejects where log = $log
