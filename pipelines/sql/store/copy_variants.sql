insert into variants
select log, variant_id, activities, n_cases from stg.vr order by variant_id
