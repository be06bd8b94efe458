-- The cases in scope with the attributes SLA targets and what-if scenarios select on; the values
-- of the case attributes named in $attribute_keys come as a list in that order (null when none are
-- named: the lambda is then skipped, a third of the query's time).
select
    c.case_idx,
    c.case_id,
    c.priority,
    c.channel,
    c.category,
    c.team,
    c.customer,
    c.is_closed,
    case when len($attribute_keys::varchar[]) > 0
         then list_transform($attribute_keys::varchar[], lambda k: c.attributes[k]) end as attribute_values
from cases c
where c.log = $log
  and {{cases_where}}
order by c.case_idx
