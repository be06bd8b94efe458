insert into rejects_out select log, source_file, source_row, column_name, raw, reason from _rr
