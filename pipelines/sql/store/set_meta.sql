insert or replace into meta (key, value) values ($key, $value)
