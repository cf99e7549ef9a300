"""Money and rates from JSON numbers as `Decimal`, strictly: a string or a boolean is a wrong type.

The shared HTTP layer parses JSON with the standard library, so a number arrives as an int or a
float. A float becomes the Decimal of its shortest repr, which is the digits the API sent (for any
number of up to 15 significant digits), never the binary approximation (`Decimal(12.99)` is
12.9900000000000002131628...).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator


def json_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("expected a JSON number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return Decimal(repr(value))
    return Decimal(value)


JsonDecimal = Annotated[Decimal, BeforeValidator(json_decimal)]
