insert into cases
select log, case_id, case_idx, start_time, end_time, duration_s, n_events, n_activities,
       first_activity, last_activity, variant_id, is_closed, priority, channel, category, team,
       customer, attributes
from stg.cs
order by case_idx
