"""The one Definitions object Dagster loads (workspace.yaml points here).

The foundation issue ships the simulator; the extraction, model and check assets join this object
as their issues land, each from its own module under assets/ and checks/.
"""

from __future__ import annotations

import dagster as dg

defs = dg.Definitions(assets=[], asset_checks=[], jobs=[], schedules=[], sensors=[], resources={})
