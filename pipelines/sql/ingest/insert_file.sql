insert into files values ($idx, $path)
