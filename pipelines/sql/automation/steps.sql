-- Steps (a relation spliced into other statements as the `steps` fragment, built on the
-- `occurrences` (mining/occurrences.sql) and `instances` (bottlenecks/instances.sql) fragments): one
-- row per occurrence of an activity, in case order, with the case's attributes and the steps
-- around it.
--   begin_us       the step's start event when it completes a start/complete pair, else its own time
--   processing_us  complete - start of its pair; without a pair, the gap from the previous step when
--                  the same (non-null) resource did that step (the resource went straight on)
--   wait_us        begin - previous step's time, except that a gap counted as processing is not
--                  waiting (0); null for a case's first step
--   lead_us        begin - the case's first event (how long the customer waited for this step)
--   is_human       a non-null resource that does not match $machine_pattern
--   deflectable    not an intake step (activities in $intake), preceded only by intake steps (so the
--                  activity's first step in the case), directly followed by a resolution step
--                  ($resolution), and not itself a resolution step
with occurrences as (
    {{occurrences}}
),
instances as (
    {{instances}}
),
occ as (
    select
        o.*,
        list_contains($intake::varchar[], o.activity) as is_intake
    from occurrences o
),
ordered as (
    select
        o.case_idx,
        o.case_pos,
        o.activity,
        o.resource,
        o.t_us,
        o.prev_activity,
        lag(o.resource) over w as prev_resource,
        lag(o.t_us) over w as prev_us,
        lead(o.activity) over w as next_activity,
        lead(o.resource) over w as next_resource,
        o.is_intake,
        min(case when not o.is_intake then o.case_pos end) over (partition by o.case_idx) as first_specific_pos
    from occ o
    window w as (partition by o.case_idx order by o.case_pos)
),
timed as (
    select
        o.*,
        c.case_id,
        c.category,
        c.priority,
        c.channel,
        epoch_us(c.start_time) as start_us,
        coalesce(epoch_us(i.start_time), o.t_us) as begin_us,
        i.processing_us as pair_us,
        i.processing_us is null and o.resource is not null and o.resource = o.prev_resource as same_resource_gap
    from ordered o
    join cases c on c.log = $log and c.case_idx = o.case_idx
    left join instances i on i.case_idx = o.case_idx and i.complete_pos = o.case_pos
)
select
    case_idx, case_pos, case_id, activity, resource, category, priority, channel,
    prev_activity, prev_resource, next_activity, next_resource, prev_us, begin_us, t_us,
    start_us,
    coalesce(pair_us, case when same_resource_gap then begin_us - prev_us end) as processing_us,
    pair_us is not null as from_pair,
    case when prev_us is null then null
         when same_resource_gap then 0
         else greatest(begin_us - prev_us, 0) end as wait_us,
    begin_us - start_us as lead_us,
    resource is not null and not regexp_matches(resource, $machine_pattern) as is_human,
    coalesce(not is_intake and case_pos = first_specific_pos
             and list_contains($resolution::varchar[], next_activity)
             and not list_contains($resolution::varchar[], activity), false) as deflectable
from timed
