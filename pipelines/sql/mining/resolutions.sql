-- The resolution instant of each resolved case in scope, without a policy: the case's first
-- resolution event after its last reopen (pipelines.mining.definitions). The SQL twin of the clock
-- core's resolved instant (read_milestones in numpy), tested equal to it, so the overview reads
-- the materialised next_* columns instead of every event.
--   $done, $reopened         activity names of the roles (Roles.resolved, Roles.reopened)
--   $implicit                also a reopen: an event that is no resolution right after one that is
--   $window_us               a reopen followed by a resolution within it is a thank-you reopen,
--   $ignore_thank_you        ... which does not count as a reopen when this is true
--   $last_event_resolves     no resolution activity at all: a closed case is resolved at its end
with done as (
    select e.case_idx, e.case_pos, e.timestamp
    from events e
    where e.log = $log and {{events_where}} and list_contains($done, e.activity)
),
reopen as (
    select e.case_idx, e.case_pos, e.timestamp, e.next_activity, e.next_timestamp
    from events e
    where e.log = $log and {{events_where}} and list_contains($reopened, e.activity)
    union all
    -- implicit: the event right after a resolution, when it is no resolution itself
    select x.case_idx, x.case_pos, x.timestamp, x.next_activity, x.next_timestamp
    from events e
    join events x on x.log = e.log and x.case_idx = e.case_idx and x.case_pos = e.case_pos + 1
    where $implicit and e.log = $log and {{events_where}}
      and list_contains($done, e.activity)
      and e.next_activity is not null and not list_contains($done, e.next_activity)
),
last_reopen as (
    select case_idx,
           max(case_pos) filter (
               where not ($ignore_thank_you
                          and coalesce(list_contains($done, next_activity), false)
                          and epoch_us(next_timestamp) - epoch_us(timestamp) <= $window_us)
           ) as pos
    from reopen
    group by case_idx
),
resolved as (
    select d.case_idx, min(d.timestamp) as resolved_time
    from done d
    left join last_reopen r on r.case_idx = d.case_idx
    where d.case_pos > coalesce(r.pos, -1)
    group by d.case_idx
    union all
    select c.case_idx, c.end_time as resolved_time
    from cases c
    where $last_event_resolves and c.log = $log and c.is_closed and {{cases_where}}
)
select
    r.case_idx,
    c.case_id,
    r.resolved_time,
    (epoch_us(r.resolved_time) - epoch_us(c.start_time)) / 1e6 as resolution_s
from resolved r
join cases c on c.log = $log and c.case_idx = r.case_idx
order by r.case_idx
