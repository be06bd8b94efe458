attach {{path}} as stg (read_only)
