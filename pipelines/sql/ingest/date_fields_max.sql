-- Largest first and second numbers of NN/NN/... style dates in one column (decides day/month order).
select
    max(try_cast(regexp_extract(trim({{column}}), '^(\d{1,2})[/.-](\d{1,2})[/.-]', 1) as integer)) as first_max,
    max(try_cast(regexp_extract(trim({{column}}), '^(\d{1,2})[/.-](\d{1,2})[/.-]', 2) as integer)) as second_max
from raw
