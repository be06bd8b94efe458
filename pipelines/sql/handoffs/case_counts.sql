-- Per case: resource and team hand-offs, team ping-pongs, rework, self-loops, distinct teams and
-- resources (see pipelines/mining/handoffs.py for the definitions).
with team_returns as (
    {{team_returns}}
),
occurrences as (
    {{occurrences}}
),
events_per_case as (
    select
        e.case_idx,
        count(*) filter (where e.resource is not null and e.next_resource is not null
                           and e.resource <> e.next_resource) as handoffs,
        count(*) filter (where e.team is not null and e.next_team is not null
                           and e.team <> e.next_team) as team_handoffs,
        count(distinct e.team) as distinct_teams,
        count(distinct e.resource) as distinct_resources
    from events e
    where e.log = $log
      and {{events_where}}
    group by e.case_idx
),
occurrences_per_case as (
    select
        case_idx,
        count(*) - count(distinct activity) as rework,
        count(*) filter (where activity = prev_activity) as self_loops
    from occurrences
    group by case_idx
),
returns_per_case as (
    select case_idx, count(*) as ping_pongs
    from team_returns
    group by case_idx
)
select
    c.case_id,
    coalesce(ev.handoffs, 0) as handoffs,
    coalesce(ev.team_handoffs, 0) as team_handoffs,
    coalesce(r.ping_pongs, 0) as ping_pongs,
    coalesce(o.rework, 0) as rework,
    coalesce(o.self_loops, 0) as self_loops,
    coalesce(ev.distinct_teams, 0) as distinct_teams,
    coalesce(ev.distinct_resources, 0) as distinct_resources
from cases c
left join events_per_case ev on ev.case_idx = c.case_idx
left join occurrences_per_case o on o.case_idx = c.case_idx
left join returns_per_case r on r.case_idx = c.case_idx
where c.log = $log
  and {{cases_where}}
order by c.case_idx
