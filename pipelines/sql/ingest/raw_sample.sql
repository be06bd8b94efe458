-- The first rows of the source, in source order (content rules of the column mapping).
select * exclude (__file)
from raw
order by __file, __row
limit $n
