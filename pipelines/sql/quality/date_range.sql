-- Events outside the plausible window [$earliest, $latest].
select count(*) filter (where timestamp < $earliest or timestamp > $latest) as n_events,
       min(timestamp) as first_ts, max(timestamp) as last_ts,
       (list(distinct case_id) filter (where timestamp < $earliest or timestamp > $latest))[1:5] as examples
from ev
