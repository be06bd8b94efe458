-- Directly-follows edges, frequency only (the cheap query behind the frequency map).
select
    e.activity as source,
    e.next_activity as target,
    count(*) as frequency,
    count(*) filter (where e.first_edge_in_case) as cases
from events e
where e.log = $log
  and e.next_activity is not null
  and {{events_where}}
group by e.activity, e.next_activity
order by frequency desc, source, target
