-- Cases in which a case-level role (priority, channel, category, customer) takes several values.
select
    count(*) filter (where n_priority > 1) as priority,
    count(*) filter (where n_channel > 1) as channel,
    count(*) filter (where n_category > 1) as category,
    count(*) filter (where n_customer > 1) as customer
from (
    select count(distinct priority) as n_priority, count(distinct channel) as n_channel,
           count(distinct category) as n_category, count(distinct customer) as n_customer
    from ev
    group by case_idx
)
