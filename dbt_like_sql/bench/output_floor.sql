-- The bench's third floor: one table users read (reconciliation, finance), copied as it stands from
-- the finished warehouse into a fresh DuckDB file. Whatever computes these tables must at least
-- write them; this is what writing them alone costs, with nothing computed.
-- {{ source }} is the finished table (schema.table), {{ name }} its copy.
create or replace table {{ name }} as
select * from finished.{{ source }}
