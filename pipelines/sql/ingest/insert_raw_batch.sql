insert into raw by name select * from _batch
