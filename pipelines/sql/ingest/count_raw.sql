select count(*) from raw
