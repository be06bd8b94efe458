-- Append: keep only the new events not already in the log, counting duplicates as a multiset
-- (an event present twice in the log and three times in the file adds one).
insert into staged
with numbered_new as (
    select *, row_number() over (partition by case_id, activity, timestamp, resource, lifecycle order by event_seq) as occ
    from staged_new
),
numbered_old as (
    select case_id, activity, timestamp, resource, lifecycle,
           row_number() over (partition by case_id, activity, timestamp, resource, lifecycle order by event_seq) as occ
    from staged
)
select n.* exclude (occ)
from numbered_new n
anti join numbered_old o
    on n.case_id = o.case_id and n.activity = o.activity and n.timestamp = o.timestamp
    and n.resource is not distinct from o.resource and n.lifecycle is not distinct from o.lifecycle
    and n.occ = o.occ
