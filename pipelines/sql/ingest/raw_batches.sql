select * from raw order by __file, __row
