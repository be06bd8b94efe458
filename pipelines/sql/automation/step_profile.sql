-- The steps (see steps.sql) counted per activity, category, priority, channel and next step (a case's
-- last step: $end), with the waits known there: their count, and the sum and sum of squares of
-- ln(1 + wait in hours). Small (hundreds of rows); automation/predictability.sql derives from it the
-- next-step entropy, each attribute's information gain on it, and each attribute's share of the
-- variance of the log-wait, per activity and per category x activity.
with steps as (
    {{steps}}
),
labelled as (
    select
        activity,
        category,
        priority,
        channel,
        coalesce(next_activity, $end) as next_activity,
        ln(1 + wait_us / 3.6e9) as log_wait
    from steps
)
select
    activity,
    category,
    priority,
    channel,
    next_activity,
    count(*) as n,
    count(log_wait) as n_wait,
    coalesce(sum(log_wait), 0) as sum_log_wait,
    coalesce(sum(log_wait * log_wait), 0) as sumsq_log_wait
from labelled
group by all
order by all
