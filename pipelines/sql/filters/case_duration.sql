-- The case's duration (last minus first event, seconds) lies in [$P_min_s, $P_max_s]; null = open.
(($P_min_s is null or c.duration_s >= $P_min_s) and ($P_max_s is null or c.duration_s <= $P_max_s))
