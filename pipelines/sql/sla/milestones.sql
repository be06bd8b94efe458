-- SLA milestones per case as the log stood at $as_of_us: events after it are ignored, so a case
-- is seen exactly as it was then (cases that had not started are absent).
--   done        = resolved + closed activities; first_response = first_response activities
--   a reopen    = a `reopened` activity, or (with $implicit_reopens) the first event that is not
--                 done right after a done event (work resumed after a resolution)
--   thank-you   = a reopen directly followed, within $window_us and by $as_of_us, by a done event
--   resolution  = first done event after the last reopen (all reopens, and real ones only)
-- Instants are microseconds since the epoch (UTC).
with ev as (
    select
        e.case_idx,
        e.case_pos,
        e.activity,
        epoch_us(e.timestamp) as t_us,
        case when epoch_us(e.next_timestamp) <= $as_of_us then e.next_activity end as next_activity,
        case when epoch_us(e.next_timestamp) <= $as_of_us then epoch_us(e.next_timestamp) end as next_us,
        lag(e.activity) over (partition by e.case_idx order by e.case_pos) as prev_activity
    from events e
    where e.log = $log
      and epoch_us(e.timestamp) <= $as_of_us
      and {{events_where}}
),
flagged as (
    select
        *,
        list_contains($done::varchar[], activity) as is_done,
        list_contains($reopened::varchar[], activity)
            or coalesce($implicit_reopens and list_contains($done::varchar[], prev_activity)
                        and not list_contains($done::varchar[], activity), false) as is_reopen
    from ev
),
classified as (
    select
        *,
        is_reopen
            and coalesce(list_contains($done::varchar[], next_activity)
                         and next_us - t_us <= $window_us, false) as is_thank_you
    from flagged
),
positions as (
    select
        *,
        max(case when is_reopen then case_pos end) over w as last_reopen_pos,
        max(case when is_reopen and not is_thank_you then case_pos end) over w as last_real_reopen_pos
    from classified
    window w as (partition by case_idx)
),
per_case as (
    select
        case_idx,
        min(t_us) as start_us,
        min(t_us) filter (where is_done or list_contains($first_response::varchar[], activity)) as first_response_us,
        min(t_us) filter (where is_done) as first_resolved_us,
        min(t_us) filter (where is_done and case_pos > coalesce(last_reopen_pos, -1)) as resolved_all_us,
        min(t_us) filter (where is_done and case_pos > coalesce(last_real_reopen_pos, -1)) as resolved_real_us,
        max(t_us) as last_event_us,
        arg_max(activity, case_pos) as current_status,
        count(*) filter (where is_reopen) as reopens,
        count(*) filter (where is_thank_you) as thank_you_reopens,
        count(*) filter (where (list_contains($fcr_breakers::varchar[], activity) or is_reopen)
                         and not is_thank_you) as fcr_breaks_real,
        count(*) filter (where list_contains($fcr_breakers::varchar[], activity) or is_reopen) as fcr_breaks_all
    from positions
    group by case_idx
)
select
    c.case_idx,
    c.case_id,
    c.priority,
    c.channel,
    c.category,
    c.team,
    c.customer,
    list_transform($attribute_keys::varchar[], lambda k: c.attributes[k]) as attribute_values,
    p.start_us,
    p.first_response_us,
    p.first_resolved_us,
    p.resolved_all_us,
    p.resolved_real_us,
    p.last_event_us,
    p.current_status,
    p.reopens,
    p.thank_you_reopens,
    p.fcr_breaks_real,
    p.fcr_breaks_all
from per_case p
join cases c on c.log = $log and c.case_idx = p.case_idx
order by c.case_idx
