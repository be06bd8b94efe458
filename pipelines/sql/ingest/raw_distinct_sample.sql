-- Up to 5,000 distinct non-empty values of one column, spread over the file.
with vals as (
    select distinct {{column}} as v
    from raw
    where {{column}} is not null and trim(cast({{column}} as varchar)) <> ''
)
select v from vals using sample reservoir(5000 rows) repeatable (7)
