-- How many cases are in scope (the cheap guard before an analysis: is there anything to show?).
select count(*) as cases
from cases c
where c.log = $log
  and {{cases_where}}
