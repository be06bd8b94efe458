-- How many cases start with each activity.
select c.first_activity as activity, count(*) as cases
from cases c
where c.log = $log and {{cases_where}}
group by c.first_activity
