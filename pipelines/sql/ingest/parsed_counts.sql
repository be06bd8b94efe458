select
    count(*) filter (where reject_reason is null) as n_good,
    count(*) filter (where reject_reason is not null) as n_bad,
    count(*) filter (where reject_reason like '%timestamp%' and case_id is not null and activity is not null) as n_bad_ts
from parsed
