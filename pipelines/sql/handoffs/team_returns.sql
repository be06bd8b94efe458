-- Team returns (a relation spliced into other statements as the `team_returns` fragment): on each
-- case's sequence of teams, events without a team skipped and consecutive repeats collapsed, every
-- element equal to the one two steps back (A -> B -> A) is one ping-pong. Columns: case_idx,
-- case_pos (of the returning event), team (A, returned to), via_team (B, in between).
with teamed as (
    select
        e.case_idx,
        e.case_pos,
        e.team,
        lag(e.team) over (partition by e.case_idx order by e.case_pos) as prev_team
    from events e
    where e.log = $log
      and e.team is not null
      and {{events_where}}
),
collapsed as (
    select
        case_idx,
        case_pos,
        team,
        prev_team,
        lag(team, 2) over (partition by case_idx order by case_pos) as team_two_back
    from teamed
    where prev_team is null or team <> prev_team
)
select case_idx, case_pos, team, prev_team as via_team
from collapsed
where team = team_two_back
