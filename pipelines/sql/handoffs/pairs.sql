-- Hand-offs: consecutive events of a case whose resource (or team) differs, both non-null,
-- grouped by the directed pair; gap = seconds from the first event to the second.
-- The `col` / `next_col` fragments are quoted identifiers (resource/next_resource or team/next_team).
select
    e.{{col}} as source,
    e.{{next_col}} as target,
    count(*) as handoffs,
    count(distinct e.case_idx) as cases,
    avg(d.gap_us) / 1e6 as mean_gap_s,
    quantile_cont(d.gap_us, 0.5) / 1e6 as median_gap_s
from events e,
    lateral (select epoch_us(e.next_timestamp) - epoch_us(e.timestamp) as gap_us) d
where e.log = $log
  and e.{{col}} is not null
  and e.{{next_col}} is not null
  and e.{{col}} <> e.{{next_col}}
  and {{events_where}}
group by e.{{col}}, e.{{next_col}}
order by handoffs desc, source, target
