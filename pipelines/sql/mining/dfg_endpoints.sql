-- How many cases start and end with each activity.
select 'start' as kind, c.first_activity as activity, count(*) as cases
from cases c
where c.log = $log and {{cases_where}}
group by c.first_activity
union all
select 'end', c.last_activity, count(*)
from cases c
where c.log = $log and {{cases_where}}
group by c.last_activity
order by kind, cases desc, activity
