select log, source_file, source_row, column_name, raw, reason from rejects where log = $log
