-- Ping-pongs per unordered team pair (team_a < team_b): returns A -> B -> A and B -> A -> B alike.
with team_returns as (
    {{team_returns}}
)
select
    least(team, via_team) as team_a,
    greatest(team, via_team) as team_b,
    count(*) as ping_pongs,
    count(distinct case_idx) as cases
from team_returns
group by least(team, via_team), greatest(team, via_team)
order by ping_pongs desc, cases desc, team_a, team_b
