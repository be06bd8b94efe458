-- The case table: one row per case with its span, size, variant and attributes.
select
    c.case_id, c.start_time, c.end_time, c.duration_s, c.n_events, c.n_activities,
    c.first_activity, c.last_activity, c.variant_id, c.is_closed,
    c.priority, c.channel, c.category, c.team, c.customer, c.attributes
from cases c
where c.log = $log
  and {{cases_where}}
order by c.case_idx
