-- Duration of each case in scope (last event minus first event, seconds).
select c.case_id, c.duration_s, c.is_closed
from cases c
where c.log = $log
  and {{cases_where}}
order by c.case_idx
