-- First and last kept activity of each case (projected start/end activities).
with kept as (
    select e.case_idx, e.case_pos, e.activity
    from events e
    where e.log = $log
      and list_contains($activities, e.activity)
      and {{events_where}}
),
ends as (
    select arg_min(activity, case_pos) as first_activity, arg_max(activity, case_pos) as last_activity
    from kept
    group by case_idx
)
select 'start' as kind, first_activity as activity, count(*) as cases from ends group by first_activity
union all
select 'end', last_activity, count(*) from ends group by last_activity
order by kind, cases desc, activity
