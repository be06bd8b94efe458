-- Directly-follows edges with frequency (transitions, cases) and performance (seconds from the
-- source event to the target event). `cases` counts each case once via first_edge_in_case.
-- Both quantiles come from one list-valued aggregate (one pass over the gaps instead of two).
with edges as (
    select
        e.activity as source,
        e.next_activity as target,
        count(*) as frequency,
        count(*) filter (where e.first_edge_in_case) as cases,
        avg(e.next_gap_us) / 1e6 as mean_s,
        quantile_cont(e.next_gap_us, [0.5, 0.9]) as q,
        sum(e.next_gap_us) / 1e6 as total_s,
        min(e.next_gap_us) / 1e6 as min_s,
        max(e.next_gap_us) / 1e6 as max_s
    from events e
    where e.log = $log
      and e.next_activity is not null
      and {{events_where}}
    group by e.activity, e.next_activity
)
select source, target, frequency, cases, mean_s, q[1] / 1e6 as median_s, q[2] / 1e6 as p90_s,
       total_s, min_s, max_s
from edges
order by frequency desc, source, target
