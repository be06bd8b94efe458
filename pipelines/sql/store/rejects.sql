select source_file, source_row, column_name, reason, raw
from rejects
where log = $log
order by source_file, source_row nulls first
limit $limit
