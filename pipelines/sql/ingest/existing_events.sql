-- A log's events as staged rows (for --append: the union is rebuilt in staging).
select
    e.case_id, e.activity, e.timestamp, e.resource, e.lifecycle, e.team,
    c.priority, c.channel, c.category, c.customer,
    e.event_seq, e.source_file, e.source_row, e.attributes, c.attributes as case_attributes
from events e
join cases c on c.log = e.log and c.case_idx = e.case_idx
where e.log = $log
order by e.event_seq
