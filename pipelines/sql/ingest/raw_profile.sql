-- Per source column: non-empty values and (approximate) distinct values, over the whole file.
select count(*) as n_rows, {{aggregates}}
from raw
