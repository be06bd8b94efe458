select max(event_seq) from events where log = $log
