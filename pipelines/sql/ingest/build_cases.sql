-- One row per case: its span, size, first/last activity, variant, closed flag and attributes.
-- Case roles (priority, channel, category, customer) and team take the case's last non-empty value.
create or replace table cs as
with variant_of as (
    select unnest(case_idxs) as case_idx, variant_id from vr
)
select
    $log as log,
    any_value(e.case_id) as case_id,
    e.case_idx,
    min(e.timestamp) as start_time,
    max(e.timestamp) as end_time,
    epoch(max(e.timestamp)) - epoch(min(e.timestamp)) as duration_s,
    cast(count(*) as integer) as n_events,
    cast(count(distinct e.activity) as integer) as n_activities,
    arg_min(e.activity, e.case_pos) as first_activity,
    arg_max(e.activity, e.case_pos) as last_activity,
    any_value(v.variant_id) as variant_id,
    (len($end_activities) = 0 or list_contains($end_activities, arg_max(e.activity, e.case_pos))) as is_closed,
    arg_max(e.priority, e.case_pos) filter (where e.priority is not null) as priority,
    arg_max(e.channel, e.case_pos) filter (where e.channel is not null) as channel,
    arg_max(e.category, e.case_pos) filter (where e.category is not null) as category,
    arg_max(e.team, e.case_pos) filter (where e.team is not null) as team,
    arg_max(e.customer, e.case_pos) filter (where e.customer is not null) as customer,
    arg_max(e.case_attributes, cardinality(e.case_attributes)) as attributes
from ev e
join variant_of v using (case_idx)
group by e.case_idx
order by e.case_idx
