-- Reads a table staged by store/stage.sql (a fragment spliced where the relation's SQL would be).
select * from {{table}}
