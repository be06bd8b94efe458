-- The case attribute {{value}} (a role column or c.attributes[$P_key]) is one of $P_values,
-- or missing when $P_missing.
(coalesce(list_contains($P_values, {{value}}), false) or ($P_missing and {{value}} is null))
