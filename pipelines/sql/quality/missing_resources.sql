select count(*) filter (where resource is null) as n_events, count(*) as n_total,
       (list(distinct activity) filter (where resource is null))[1:5] as examples
from ev
