-- The cases in scope with the attributes SLA targets and what-if scenarios select on; the values
-- of the case attributes named in $attribute_keys come as a list in that order.
select
    c.case_idx,
    c.case_id,
    c.priority,
    c.channel,
    c.category,
    c.team,
    c.customer,
    c.is_closed,
    list_transform($attribute_keys::varchar[], lambda k: c.attributes[k]) as attribute_values
from cases c
where c.log = $log
  and {{cases_where}}
order by c.case_idx
