-- Per-case facts behind the before/after KPIs (see pipelines/mining/compare_kpis.py):
-- size, hand-offs, reopens, the resolution instant, first-contact resolution, human touch.
-- $resolved: activities that resolve or close a case; $reopened: reopen activities, or with
-- $implicit a reopen is the event right after a resolving one when it does not resolve itself;
-- $fcr_breakers: activities that break a first-contact resolution; $humans: resource names
-- classified as human. {{actor}}: the hand-off column (team or resource), events without one
-- are skipped. Events in case order (timestamp, event_seq) = case_pos.
with ev as (
    select e.case_idx, e.case_pos, e.activity, e.timestamp, e.resource, e.next_activity,
           e.{{actor}} as actor
    from events e
    where e.log = $log
      and {{events_where}}
),
flagged as (
    select
        ev.*,
        list_contains($resolved, ev.activity) as resolves,
        case
            when $implicit then list_contains($resolved, ev.activity)
                                and ev.next_activity is not null
                                and not list_contains($resolved, ev.next_activity)
            else list_contains($reopened, ev.activity)
        end as reopens,
        case when $implicit then ev.case_pos + 1 else ev.case_pos end as reopen_pos
    from ev
),
per_case as (
    select
        case_idx,
        count(*) filter (where reopens) as reopens,
        max(reopen_pos) filter (where reopens) as last_reopen_pos,
        coalesce(bool_or(list_contains($fcr_breakers, activity)), false) as fcr_broken,
        coalesce(bool_or(list_contains($humans, resource)), false) as human_touch
    from flagged
    group by case_idx
),
resolution as (
    select f.case_idx, min(f.timestamp) as resolved_time
    from flagged f
    join per_case p on p.case_idx = f.case_idx
    where f.resolves
      and f.case_pos > coalesce(p.last_reopen_pos, -1)
    group by f.case_idx
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
    c.case_id, c.start_time, c.n_events, c.priority, c.channel, c.category, c.team,
    coalesce(h.handoffs, 0) as handoffs,
    coalesce(p.reopens, 0) as reopens,
    coalesce(p.fcr_broken, false) as fcr_broken,
    coalesce(p.human_touch, false) as human_touch,
    r.resolved_time,
    epoch(r.resolved_time) - epoch(c.start_time) as resolution_s
from cases c
left join per_case p on p.case_idx = c.case_idx
left join resolution r on r.case_idx = c.case_idx
left join handoffs h on h.case_idx = c.case_idx
where c.log = $log
  and {{cases_where}}
order by c.case_idx
