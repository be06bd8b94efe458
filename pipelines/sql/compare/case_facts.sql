-- Per-case facts behind the before/after KPIs (see pipelines/mining/compare_kpis.py) that the SLA
-- clock core does not give: size, hand-offs and human touch. $humans: resource names classified as
-- human. {{actor}}: the hand-off column (team or resource), events without one are skipped. Events
-- in case order (timestamp, event_seq) = case_pos.
with ev as (
    select e.case_idx, e.case_pos, e.resource, e.{{actor}} as actor
    from events e
    where e.log = $log
      and {{events_where}}
),
touched as (
    select case_idx, coalesce(bool_or(list_contains($humans, resource)), false) as human_touch
    from ev
    group by case_idx
),
actors as (
    select case_idx, actor, lag(actor) over (partition by case_idx order by case_pos) as prev_actor
    from ev
    where actor is not null
),
handoffs as (
    select case_idx, count(*) filter (where actor <> prev_actor) as handoffs
    from actors
    group by case_idx
)
select
    c.case_idx, c.case_id, c.start_time, c.n_events, c.priority, c.channel, c.category, c.team,
    coalesce(h.handoffs, 0) as handoffs,
    coalesce(t.human_touch, false) as human_touch
from cases c
left join touched t on t.case_idx = c.case_idx
left join handoffs h on h.case_idx = c.case_idx
where c.log = $log
  and {{cases_where}}
order by c.case_idx
