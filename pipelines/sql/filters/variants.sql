-- The case's variant (numbered in the whole log) is one of $P_ids.
coalesce(list_contains($P_ids, c.variant_id), false)
