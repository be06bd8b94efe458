-- For each attribute column, the most distinct values it takes within one case (1 = case-level).
select {{maxima}}
from (
    select {{per_case}}
    from parsed p
    join raw r using (__file, __row)
    where p.reject_reason is null
    group by p.case_id
)
