-- The recovery bench's comparison of one relation: the rows the uninterrupted run's copy
-- ({{ expected }}) holds that the resumed run's copy ({{ actual }}) lacks, and the other way round,
-- counted with multiplicity (EXCEPT ALL both ways), so a duplicated row is a difference too.
-- {{ columns }} is the relation's compared column list: columns that hold sync or run times are left
-- out or reduced to what must still agree (integration_assets/bench/row_sets.py says which and why).
with expected_rows as (
    select {{ columns }} from {{ expected }}
),

actual_rows as (
    select {{ columns }} from {{ actual }}
),

missing_rows as (
    select * from expected_rows
    except all
    select * from actual_rows
),

extra_rows as (
    select * from actual_rows
    except all
    select * from expected_rows
)

select
    (select count(*) from expected_rows) as expected_rows,
    (select count(*) from actual_rows) as actual_rows,
    (select count(*) from missing_rows) as missing_rows,
    (select count(*) from extra_rows) as extra_rows
