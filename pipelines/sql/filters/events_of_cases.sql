-- The events of the log's cases that satisfy {{predicate}} (a compiled filter over `cases` aliased c).
e.case_idx in (select c.case_idx from cases c where c.log = $log and ({{predicate}}))
