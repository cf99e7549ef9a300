"""Software-defined assets, one module per source or domain."""

import warnings

import dagster as dg

# Ranges run as one run (DESIGN.md "Partitions"): `backfill_policy` is Beta in 1.13 and says so on
# every asset; the decision is made, so the warning is noise in every load and test.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)
