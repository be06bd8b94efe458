select
    (select count(*) from cs) as n_cases,
    (select count(*) from ev) as n_events,
    (select count(distinct activity) from ev) as n_activities,
    (select count(*) from vr) as n_variants,
    (select min(timestamp) from ev) as start_time,
    (select max(timestamp) from ev) as end_time
