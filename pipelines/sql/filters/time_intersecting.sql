-- The case is active at some instant of the window: [start_time, end_time] meets [start, end].
(($P_end is null or c.start_time <= $P_end) and ($P_start is null or c.end_time >= $P_start))
