select activity, count(*) as n from ev group by activity order by n desc
