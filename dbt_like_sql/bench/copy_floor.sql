-- The bench's second floor: one raw lake table copied once into a DuckDB table, every column as
-- landed. A warehouse that keeps typed tables must at least read its input and write it once; this
-- is what that costs on the same files, so the models' SQL can be read against both floors.
-- {{ table }} is the table's folder in the lake, {{ name }} the table it becomes.
create or replace table {{ name }} as
select * from read_parquet('{{ table }}/**/*.parquet', hive_partitioning = true, union_by_name = true)
