select generation from logs where log = $log
