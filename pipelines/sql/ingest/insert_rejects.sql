-- Rows that failed validation, with their raw values as JSON and the reason.
insert into rejects_out
select $log, f.path, p.__row, p.reject_column, to_json({{raw_struct}}), p.reject_reason
from parsed p
join raw r using (__file, __row)
join files f on f.idx = p.__file
where p.reject_reason is not null
order by p.__file, p.__row
