-- The benchmark's floor: one scan of every column of one raw lake table (all its partitions), the
-- least any model reading that table must do. {{ table }} is the table's folder in the lake.
select count(*) as rows_read, min(columns(*))
from read_parquet('{{ table }}/**/*.parquet', hive_partitioning = true, union_by_name = true)
