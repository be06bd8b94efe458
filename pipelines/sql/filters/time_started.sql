-- The case's first event lies in the window.
(($P_start is null or c.start_time >= $P_start) and ($P_end is null or c.start_time <= $P_end))
