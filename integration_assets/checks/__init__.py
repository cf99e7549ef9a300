"""Asset checks, beside what they check: `sources` on the extraction assets (the raw lake),
`reconciliation` and `sales_history` on the reconciliation models (the DuckDB warehouse).
`evaluation` is how they report."""

from integration_assets.checks import reconciliation, sales_history, sources

asset_checks = [*sources.checks, *reconciliation.checks, *sales_history.checks]
