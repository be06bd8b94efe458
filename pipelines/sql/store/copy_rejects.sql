insert into rejects select log, source_file, source_row, column_name, raw, reason from stg.rejects_out
