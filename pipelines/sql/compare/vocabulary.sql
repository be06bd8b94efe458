-- The distinct activities, resources and teams of the cases in scope, with their event counts
-- (to resolve the comparison's activity roles and to classify resources as human or not).
with ev as (
    select e.activity, e.resource, e.team
    from events e
    where e.log = $log
      and {{events_where}}
)
select 'activity' as kind, activity as value, count(*) as events from ev group by activity
union all
select 'resource', resource, count(*) from ev where resource is not null group by resource
union all
select 'team', team, count(*) from ev where team is not null group by team
order by kind, value
