select __row, reject_reason from parsed where reject_reason is not null order by __file, __row limit 1
