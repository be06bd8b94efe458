create table files (idx integer, path varchar)
