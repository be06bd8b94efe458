-- Per activity, and per category x activity, from the step profile (automation/step_profile.sql,
-- spliced in as the profile fragment): how predictable the next step is, which case attribute predicts it, and
-- which attribute's values drive the wait before the step.
--   level, category, activity   the candidate's key; activity rows carry $no_category. Category rows
--                               skip steps of cases without a category and have no category attribute.
--   next_activity, next_share   the most frequent next step (ties: by name) and its share
--   next_entropy_bits           H(next) = -sum p log2 p
--   determinism                 1 - H / log2(k) over the k next steps seen (1 when k = 1)
--   branch_attribute            the attribute (category, priority, channel) with the largest share of
--                               H explained (information gain / H; ties: by name); null when none helps
--   branch_information_gain     that share
--   wait_driver_share           the largest share of the variance of ln(1 + wait h) between the values
--                               of one attribute (ties: by name)
--   wait_driver, wait_driver_values, wait_driver_typical_s
--                               that attribute and its values whose typical wait (exp(mean ln(1 + wait
--                               h)) - 1, in seconds) is at least 1.5 times the activity's, longest first,
--                               at most 3, each holding 5% of the waits or more; only when the share is
--                               0.1 or more (else null, and empty lists)
-- An attribute's missing value counts as the value ''.
with profile as (
    {{profile}}
),
views as (  -- each step group once per (level, attribute) view; '' is the whole group
    select
        v.level,
        case when v.level = 'activity' then $no_category else p.category end as category,
        p.activity,
        v.attribute,
        coalesce(case v.attribute when 'category' then p.category
                                  when 'priority' then p.priority
                                  when 'channel' then p.channel end, '') as value,
        p.next_activity, p.n, p.n_wait, p.sum_log_wait, p.sumsq_log_wait
    from profile p
    cross join (values ('activity', ''), ('activity', 'category'), ('activity', 'priority'),
                       ('activity', 'channel'), ('category', ''), ('category', 'priority'),
                       ('category', 'channel')) v(level, attribute)
    where v.level = 'activity' or p.category is not null
),
counts as (
    select level, category, activity, attribute, value, next_activity, sum(n)::double as n
    from views
    group by all
),
overall as (
    select
        level, category, activity,
        first(next_activity order by n desc, next_activity) as next_activity,
        max(n) / sum(n) as next_share,
        count(*) as k,
        sum(n) as total
    from counts
    where attribute = ''
    group by all
),
entropy as (
    select c.level, c.category, c.activity, -sum(c.n / o.total * log2(c.n / o.total)) as h
    from counts c
    join overall o using (level, category, activity)
    where c.attribute = ''
    group by all
),
by_value as (
    select
        level, category, activity, attribute, value, next_activity, n,
        sum(n) over (partition by level, category, activity, attribute, value) as n_v,
        sum(n) over (partition by level, category, activity, attribute) as n_a
    from counts
    where attribute <> ''
),
conditional as (
    select level, category, activity, attribute, sum(-n_v / n_a * (n / n_v) * log2(n / n_v)) as cond_h
    from by_value
    group by all
),
gain as (
    select
        c.level, c.category, c.activity, c.attribute,
        case when e.h > 1e-12 then greatest(e.h - c.cond_h, 0) / e.h else 0 end as share
    from conditional c
    join entropy e using (level, category, activity)
),
best_branch as (
    select level, category, activity, attribute, share
    from gain
    qualify row_number() over (partition by level, category, activity
                               order by round(share, 12) desc, attribute) = 1
),
waits as (
    select
        level, category, activity, attribute, value,
        sum(n_wait)::double as n,
        sum(sum_log_wait) as sum_log,
        sum(sumsq_log_wait) as sumsq_log
    from views
    where attribute <> ''
    group by all
    having sum(n_wait) > 0
),
wait_values as (
    select
        *,
        sum_log / n as log_mean,
        sum(n) over a as total_n,
        sum(sum_log) over a / sum(n) over a as grand
    from waits
    window a as (partition by level, category, activity, attribute)
),
variance as (
    select
        level, category, activity, attribute,
        any_value(grand) as grand,
        sum(sumsq_log) - any_value(total_n) * any_value(grand) ^ 2 as ss_total,
        sum(n * (log_mean - grand) ^ 2) as between_ss,
        count(*) as n_values
    from wait_values
    group by all
),
explained as (
    select
        level, category, activity, attribute, grand,
        case when ss_total > 1e-12 and n_values > 1 then least(greatest(between_ss / ss_total, 0), 1)
             else 0 end as share
    from variance
),
best_wait as (
    select level, category, activity, attribute, share, grand
    from explained
    qualify row_number() over (partition by level, category, activity
                               order by round(share, 12) desc, attribute) = 1
),
slow as (
    select
        v.level, v.category, v.activity,
        v.value,
        (exp(v.log_mean) - 1) * 3600 as typical_s,
        row_number() over (partition by v.level, v.category, v.activity
                           order by v.log_mean desc, v.value) as pos
    from wait_values v
    join best_wait b using (level, category, activity, attribute)
    where b.share >= 0.1
      and exp(v.log_mean) - 1 >= 1.5 * (exp(b.grand) - 1)
      and v.n >= 0.05 * v.total_n
),
slow_lists as (
    select
        level, category, activity,
        list(value order by pos) as wait_driver_values,
        list(typical_s order by pos) as wait_driver_typical_s
    from slow
    where pos <= 3
    group by all
)
select
    o.level,
    o.category,
    o.activity,
    o.next_activity,
    o.next_share,
    e.h as next_entropy_bits,
    case when o.k > 1 then 1 - e.h / log2(o.k) else 1 end as determinism,
    case when coalesce(bb.share, 0) > 1e-9 then bb.attribute end as branch_attribute,
    coalesce(bb.share, 0) as branch_information_gain,
    coalesce(bw.share, 0) as wait_driver_share,
    case when s.wait_driver_values is not null then bw.attribute end as wait_driver,
    coalesce(s.wait_driver_values, []) as wait_driver_values,
    coalesce(s.wait_driver_typical_s, []) as wait_driver_typical_s
from overall o
join entropy e using (level, category, activity)
left join best_branch bb using (level, category, activity)
left join best_wait bw using (level, category, activity)
left join slow_lists s using (level, category, activity)
order by o.level, o.category, o.activity
