"""Page sizes that make paging tests bite: the last page is short and there are several."""

from __future__ import annotations

import pytest


def awkward_limit(count: int, candidates: tuple[int, ...] = (7, 11, 13, 17, 19, 23)) -> int:
    """A page size that does not divide the count and still gives several pages."""
    for limit in candidates:
        if count % limit and count > limit:
            return limit
    pytest.fail(f"no awkward limit for {count} records")
