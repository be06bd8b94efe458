-- Directly-follows edges with frequency (transitions, cases) and performance (seconds from the
-- source event to the target event). `cases` counts each case once via first_edge_in_case.
select
    e.activity as source,
    e.next_activity as target,
    count(*) as frequency,
    count(*) filter (where e.first_edge_in_case) as cases,
    avg(e.next_gap_us) / 1e6 as mean_s,
    quantile_cont(e.next_gap_us, 0.5) / 1e6 as median_s,
    quantile_cont(e.next_gap_us, 0.9) / 1e6 as p90_s,
    sum(e.next_gap_us) / 1e6 as total_s,
    min(e.next_gap_us) / 1e6 as min_s,
    max(e.next_gap_us) / 1e6 as max_s
from events e
where e.log = $log
  and e.next_activity is not null
  and {{events_where}}
group by e.activity, e.next_activity
order by frequency desc, source, target
