"""How figures are written, on the site and in the casebook alike.

One thousands-separator rule (official style): numbers of five or more digits
are grouped by threes ("12,500"), four-digit numbers never are ("3860").
"""

from __future__ import annotations


def group(digits: str) -> str:
    """Apply the one rule to an integer's digits: five or more are grouped by threes."""
    return f"{int(digits):,}" if len(digits) >= 5 else digits


def number(value: float) -> str:
    """A metric's value: 12500 -> "12,500", 3860 -> "3860", 3.50 -> "3.5"."""
    sign = "-" if value < 0 else ""
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{abs(value):.2f}".rstrip("0").split(".")
        return f"{sign}{group(whole)}.{frac}"
    return sign + group(str(abs(int(value))))
