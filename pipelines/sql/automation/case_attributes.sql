-- The names of a log's case attributes (besides the canonical case roles).
select unnest(l.case_attributes) as name
from logs l
where l.log = $log
