insert into parsed by name select * from _parsed
