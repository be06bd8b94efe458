-- A relation materialised once for several statements of one session (Store.session): a temporary
-- table, private to the session's cursor and dropped with it.
create or replace temp table {{table}} as
{{relation}}
