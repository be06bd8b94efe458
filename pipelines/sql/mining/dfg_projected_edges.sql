-- Directly-follows edges of the log projected onto a set of activities (Disco's activity slider):
-- events of other activities are left out and the remaining events of a case follow each other.
with kept as (
    select e.case_idx, e.case_pos, e.activity, e.timestamp
    from events e
    where e.log = $log
      and list_contains($activities, e.activity)
      and {{events_where}}
),
paired as (
    select
        case_idx, activity,
        lead(activity) over w as next_activity,
        epoch_us(lead(timestamp) over w) - epoch_us(timestamp) as gap_us
    from kept
    window w as (partition by case_idx order by case_pos)
),
edges as (
    select
        activity as source,
        next_activity as target,
        count(*) as frequency,
        count(distinct case_idx) as cases,
        avg(gap_us) / 1e6 as mean_s,
        quantile_cont(gap_us, [0.5, 0.9]) as q,
        sum(gap_us) / 1e6 as total_s,
        min(gap_us) / 1e6 as min_s,
        max(gap_us) / 1e6 as max_s
    from paired
    where next_activity is not null
    group by activity, next_activity
)
select source, target, frequency, cases, mean_s, q[1] / 1e6 as median_s, q[2] / 1e6 as p90_s,
       total_s, min_s, max_s
from edges
order by frequency desc, source, target
