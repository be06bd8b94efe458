-- Events earlier than an event that precedes them in the file, within the same case.
with marked as (
    select case_id,
           timestamp < max(timestamp) over (
               partition by case_idx order by event_seq rows between unbounded preceding and 1 preceding
           ) as early
    from ev
)
select count(*) filter (where early) as n_events,
       count(distinct case_id) filter (where early) as n_cases,
       (list(distinct case_id) filter (where early))[1:5] as examples
from marked
