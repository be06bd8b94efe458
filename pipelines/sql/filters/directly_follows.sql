-- Some event of the case with activity $P_source is directly followed by one with $P_target.
exists (
    select 1
    from events P_e
    where P_e.log = c.log
      and P_e.case_idx = c.case_idx
      and P_e.activity = $P_source
      and P_e.next_activity = $P_target
)
