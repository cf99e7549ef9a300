-- Macros the benchmark's tiling uses to multiply a template lake into a merchant of any size.
-- Copy k of an order-side row gets every order-side id as id * copies + k (distinct across copies,
-- the same in every table that refers to it, so joins between copies hold), and uses catalogue
-- copy m = k % catalogue_copies; copy m of a SKU is the SKU with "-m" before any trailing
-- whitespace, so trimming and case-folding (how sku_master matches) treat every copy alike.

-- A numeric id in copy k of n.
create or replace macro tile_id(x, k, n) as x * n + k;

-- A text id with a leading number ("#1001", "1001", "#1001.2"): the number as tile_id makes it.
create or replace macro tile_text_id(s, k, n) as
    case
        when regexp_matches(s, '^\D*\d+') then
            regexp_extract(s, '^(\D*)', 1)
            || cast(cast(regexp_extract(s, '^\D*(\d+)', 1) as hugeint) * n + k as varchar)
            || regexp_extract(s, '^\D*\d+(.*)$', 1)
        else s
    end;

-- A text id ending in a number ("c2007_45123456700001"): the trailing number as tile_id makes it.
create or replace macro tile_text_suffix(s, k, n) as
    case
        when regexp_matches(s, '\d+$') then
            regexp_extract(s, '^(.*?)\d+$', 1)
            || cast(cast(regexp_extract(s, '(\d+)$', 1) as hugeint) * n + k as varchar)
        else s
    end;

-- Copy m of a SKU (copy 0 is the SKU itself; blank SKUs stay blank).
create or replace macro tile_sku(s, m) as
    case
        when m = 0 or s is null or trim(s) = '' then s
        else regexp_replace(s, '^(\s*)(.*?)(\s*)$', '\1\2-' || cast(m as varchar) || '\3')
    end;
