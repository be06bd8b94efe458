-- Automation candidates: per activity, and per category x activity (grouping sets), the volume,
-- waiting, processing, lead time, rework, hand-offs and resources of its steps (see steps.sql).
-- level = 'activity' rows have a null category; 'category' rows skip steps of cases without one.
-- Times are seconds; quantiles are interpolated linearly; hand-off rates count only pairs whose two
-- resources are both known.
with steps as (
    {{steps}}
),
measured as (
    select
        *,
        case when deflectable then lead_us else wait_us end as saving_us
    from steps
),
grouped as (
    select
        case when grouping(category) = 0 then 'category' else 'activity' end as level,
        category,
        activity,
        count(*) as events,
        count(distinct case_idx) as cases,
        count(*) filter (where is_human) as human_events,
        count(distinct resource) as resources,
        count(wait_us) as waits,
        quantile_cont(wait_us, 0.5) as wait_q,
        avg(wait_us) as wait_mean,
        stddev_samp(wait_us) as wait_std,
        count(processing_us) as processings,
        count(*) filter (where from_pair) as pairs,
        quantile_cont(processing_us, [0.25, 0.5, 0.75]) as processing_q,
        avg(processing_us) as processing_mean,
        stddev_samp(processing_us) as processing_std,
        quantile_cont(lead_us, 0.5) as lead_q,
        count(*) filter (where deflectable) as deflectable,
        quantile_cont(saving_us, 0.5) as saving_q,
        coalesce(sum(saving_us), 0) as saving_total,
        count(*) filter (where resource is not null and prev_resource is not null) as in_pairs,
        count(*) filter (where resource <> prev_resource) as handoffs_in,
        count(*) filter (where resource is not null and next_resource is not null) as out_pairs,
        count(*) filter (where resource <> next_resource) as handoffs_out
    from measured
    group by grouping sets ((activity), (category, activity))
    having grouping(category) = 1 or category is not null
)
select
    level, category, activity, events, cases, events - cases as repeats, human_events, resources,
    waits,
    wait_q / 1e6 as waiting_median_s,
    wait_mean / 1e6 as waiting_mean_s,
    wait_std / 1e6 as waiting_std_s,
    processings, pairs,
    processing_q[2] / 1e6 as processing_median_s,
    processing_mean / 1e6 as processing_mean_s,
    processing_std / 1e6 as processing_std_s,
    processing_q[1] / 1e6 as processing_q1_s,
    processing_q[3] / 1e6 as processing_q3_s,
    lead_q / 1e6 as lead_median_s,
    deflectable,
    saving_q / 1e6 as saving_median_s,
    saving_total / 1e6 as saving_total_s,
    in_pairs, handoffs_in, out_pairs, handoffs_out
from grouped
order by level, category, activity
