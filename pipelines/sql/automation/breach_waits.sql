-- The waits before steps (see steps.sql) of the cases in scope, for their share of SLA time: the case
-- (case_idx), the step's activity, whether the previous step's activity is a pause ($pause), the
-- previous step's time and the step's begin (microseconds).
with steps as (
    {{steps}}
)
select
    case_idx,
    activity,
    list_contains($pause::varchar[], prev_activity) as after_pause,
    prev_us,
    begin_us
from steps
where wait_us > 0
