select * from logs where log = $log
