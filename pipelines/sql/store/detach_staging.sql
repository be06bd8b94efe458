detach stg
