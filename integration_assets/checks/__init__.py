"""Asset checks, beside what they check: `sources` on the extraction assets (the raw lake),
`reconciliation`, `sales_history` and `finance` on those models (the DuckDB warehouse). `evaluation` is how
they report."""

from integration_assets.checks import finance, reconciliation, sales_history, sources

asset_checks = [*sources.checks, *reconciliation.checks, *sales_history.checks, *finance.checks]
