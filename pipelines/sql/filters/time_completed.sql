-- The case's last event lies in the window.
(($P_start is null or c.end_time >= $P_start) and ($P_end is null or c.end_time <= $P_end))
