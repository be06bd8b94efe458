-- Triage metrics per kind of query (the values of the case column given as the `by` fragment, a
-- quoted identifier):
-- cases, distinct variants, resource hand-offs per case, the share of cases with an escalation
-- (an activity whose lower-cased name contains one of $escalation_words), cases with a known / a
-- high priority ($high_priorities, lower-cased) and human touches per case (events by a resource
-- that does not match $machine_pattern). Reopens and the customer wait come from the SLA clock
-- core (pipelines/mining/clock.py), as everywhere else.
with per_case as (
    select
        e.case_idx,
        count(*) filter (where e.resource is not null and e.next_resource is not null
                           and e.resource <> e.next_resource) as handoffs,
        bool_or(len(list_filter($escalation_words::varchar[], lambda w: contains(lower(e.activity), w))) > 0)
            as escalated,
        count(*) filter (where e.resource is not null
                           and not regexp_matches(e.resource, $machine_pattern)) as touches
    from events e
    where e.log = $log
      and {{events_where}}
    group by e.case_idx
)
select
    c.{{by}} as value,
    count(*) as cases,
    count(distinct c.variant_id) as variants,
    avg(p.handoffs) as handoffs_per_case,
    avg(p.escalated::integer) as escalation_rate,
    count(c.priority) as priority_known,
    count(*) filter (where list_contains($high_priorities::varchar[], lower(c.priority))) as high_priority,
    avg(p.touches) as touches_per_case
from cases c
join per_case p on p.case_idx = c.case_idx
where c.log = $log
  and {{cases_where}}
  and c.{{by}} is not null
group by c.{{by}}
order by value
