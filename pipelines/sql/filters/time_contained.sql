-- The case runs entirely inside the window: first event at/after start, last event at/before end.
(($P_start is null or c.start_time >= $P_start) and ($P_end is null or c.end_time <= $P_end))
