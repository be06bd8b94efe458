-- Some event of the case has {{value}} (a role column of P_e or P_e.attributes[$P_key]) among
-- $P_values (or missing, when $P_missing).
exists (
    select 1
    from events P_e
    where P_e.log = c.log
      and P_e.case_idx = c.case_idx
      and (coalesce(list_contains($P_values, {{value}}), false) or ($P_missing and {{value}} is null))
)
