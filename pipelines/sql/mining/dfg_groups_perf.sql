-- As dfg_groups, with the time from each event to the next (null for a case's last event, so the
-- end groups get null times). Both quantiles come from one list-valued aggregate.
with groups as (
    select
        e.activity as source,
        e.next_activity as target,
        count(*) as frequency,
        count(*) filter (where e.first_edge_in_case) as cases,
        count(*) filter (where e.first_activity_in_case) as activity_cases,
        avg(e.next_gap_us) / 1e6 as mean_s,
        quantile_cont(e.next_gap_us, [0.5, 0.9]) as q,
        sum(e.next_gap_us) / 1e6 as total_s,
        min(e.next_gap_us) / 1e6 as min_s,
        max(e.next_gap_us) / 1e6 as max_s
    from events e
    where e.log = $log
      and {{events_where}}
    group by e.activity, e.next_activity
)
select source, target, frequency, cases, activity_cases, mean_s, q[1] / 1e6 as median_s,
       q[2] / 1e6 as p90_s, total_s, min_s, max_s
from groups
