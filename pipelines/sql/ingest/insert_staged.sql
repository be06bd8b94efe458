-- Accepted rows with their attributes packed: event-level into `attributes`, case-level into
-- `case_attributes` (empty and --null values left out).
insert into staged
select
    p.case_id, p.activity, p.timestamp, p.resource, p.lifecycle, p.team,
    p.priority, p.channel, p.category, p.customer,
    p.event_seq, p.__file + $file_offset, p.__row,
    map_from_entries(list_filter({{event_entries}}, lambda x: x.v is not null)),
    map_from_entries(list_filter({{case_entries}}, lambda x: x.v is not null))
from parsed p
join raw r using (__file, __row)
where p.reject_reason is null
