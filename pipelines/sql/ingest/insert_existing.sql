insert into staged select * from _old
