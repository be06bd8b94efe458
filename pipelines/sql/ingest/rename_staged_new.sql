alter table staged rename to staged_new
