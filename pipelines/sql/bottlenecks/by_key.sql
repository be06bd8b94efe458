-- Bottlenecks: waiting time (gaps outside activity instances) and processing time (instances)
-- grouped by the `keys` fragment (columns of `units`), ranked by total waiting, with each group's share of
-- the total case duration in scope. The `units_where` fragment drops units that have no key (transitions
-- into a case's first event).
with instances as (
    {{instances}}
),
gaps as (
    {{gaps}}
),
units as (
    select
        case_idx, source, target, activity, resource, team, source_resource, source_team,
        gap_us as waiting_us,
        cast(null as bigint) as processing_us
    from gaps
    where not in_progress
    union all
    select
        case_idx, prev_activity as source, activity as target, activity, resource, team,
        resource as source_resource, team as source_team,
        cast(null as bigint) as waiting_us,
        processing_us
    from instances
),
grouped as (
    select
        {{keys}},
        count(waiting_us) as occurrences,
        count(distinct case_idx) filter (where waiting_us is not null) as cases,
        coalesce(sum(waiting_us), 0) / 1e6 as waiting_total_s,
        avg(waiting_us) / 1e6 as waiting_mean_s,
        quantile_cont(waiting_us, 0.5) / 1e6 as waiting_median_s,
        quantile_cont(waiting_us, 0.9) / 1e6 as waiting_p90_s,
        count(processing_us) as instances,
        sum(processing_us) / 1e6 as processing_total_s,
        avg(processing_us) / 1e6 as processing_mean_s,
        quantile_cont(processing_us, 0.5) / 1e6 as processing_median_s
    from units
    where {{units_where}}
    group by {{keys}}
),
total as (
    select sum(c.duration_s) as duration_s
    from cases c
    where c.log = $log
      and {{cases_where}}
)
select
    g.*,
    g.waiting_total_s / nullif(t.duration_s, 0) as share_of_case_time,
    sum(g.waiting_total_s) over ranked / nullif(t.duration_s, 0) as cumulative_share,
    row_number() over ranked as rank
from grouped g
cross join total t
window ranked as (order by g.waiting_total_s desc, g.occurrences desc, {{keys}}
                  rows between unbounded preceding and current row)
order by rank
