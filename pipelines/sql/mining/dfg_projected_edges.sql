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
        case_idx, activity, timestamp,
        lead(activity) over w as next_activity,
        lead(timestamp) over w as next_timestamp
    from kept
    window w as (partition by case_idx order by case_pos)
)
select
    activity as source,
    next_activity as target,
    count(*) as frequency,
    count(distinct case_idx) as cases,
    avg((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6) as mean_s,
    quantile_cont((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6, 0.5) as median_s,
    quantile_cont((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6, 0.9) as p90_s,
    sum((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6) as total_s,
    min((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6) as min_s,
    max((epoch_us(next_timestamp) - epoch_us(timestamp)) / 1e6) as max_s
from paired
where next_activity is not null
group by activity, next_activity
order by frequency desc, source, target
