-- The tables the product keeps for its users (the reconciliation and finance schemas) in the
-- finished warehouse, attached read-only as `finished`: what the output floor copies.
-- {{ warehouse }} is the finished warehouse's file.
attach '{{ warehouse }}' as finished (read_only);
select schema_name, table_name
from duckdb_tables()
where database_name = 'finished' and schema_name in ('reconciliation', 'finance')
order by schema_name, table_name
