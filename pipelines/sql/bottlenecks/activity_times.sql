-- Per activity: its events, lifecycle starts/completes, activity instances with their processing
-- time, and the waiting time before it (gaps outside instances whose target is the activity).
with instances as (
    {{instances}}
),
gaps as (
    {{gaps}}
),
counted as (
    select
        e.activity,
        count(*) as events,
        count(*) filter (where lower(e.lifecycle) = 'start') as starts,
        count(*) filter (where lower(e.lifecycle) = 'complete') as completes
    from events e
    where e.log = $log
      and {{events_where}}
    group by e.activity
),
processing as (
    select
        activity,
        count(*) as instances,
        sum(processing_us) / 1e6 as processing_total_s,
        avg(processing_us) / 1e6 as processing_mean_s,
        quantile_cont(processing_us, 0.5) / 1e6 as processing_median_s,
        quantile_cont(processing_us, 0.9) / 1e6 as processing_p90_s
    from instances
    group by activity
),
waiting as (
    select
        activity,
        count(*) as waits,
        sum(gap_us) / 1e6 as waiting_total_s,
        avg(gap_us) / 1e6 as waiting_mean_s,
        quantile_cont(gap_us, 0.5) / 1e6 as waiting_median_s,
        quantile_cont(gap_us, 0.9) / 1e6 as waiting_p90_s
    from gaps
    where not in_progress
    group by activity
)
select
    c.activity,
    c.events,
    c.starts,
    c.completes,
    coalesce(p.instances, 0) as instances,
    p.processing_total_s,
    p.processing_mean_s,
    p.processing_median_s,
    p.processing_p90_s,
    coalesce(w.waits, 0) as waits,
    coalesce(w.waiting_total_s, 0) as waiting_total_s,
    w.waiting_mean_s,
    w.waiting_median_s,
    w.waiting_p90_s
from counted c
left join processing p using (activity)
left join waiting w using (activity)
order by c.events desc, c.activity
