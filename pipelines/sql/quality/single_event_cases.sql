select count(*) as n_cases, list(case_id order by case_idx)[1:5] as examples
from cs
where n_events = 1
