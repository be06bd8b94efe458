-- How many cases end with each activity (for choosing the closing activities).
with last as (
    select arg_max(activity, case_pos) as activity
    from ev
    group by case_idx
)
select activity, count(*) as n_cases
from last
group by activity
order by n_cases desc, activity
