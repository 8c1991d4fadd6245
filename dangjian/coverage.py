"""The coverage figures: how many active units have a published brand / model post.

Computed from the model only, never typed by hand (domain.md, "The figures").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from .model import ORG_TYPES, Library, Unit

# The offices date their figures in Beijing time (截至××××年×月×日).
BEIJING = timezone(timedelta(hours=8), "北京时间")


@dataclass(frozen=True)
class Ratio:
    covered: int
    total: int

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def percent(self) -> str:
        """One decimal, as the field reports it: 49/61 -> "80.3%"."""
        return f"{self.ratio * 100:.1f}%"

    @property
    def fraction(self) -> str:
        return f"{self.covered}/{self.total}"


@dataclass(frozen=True)
class UnitCoverage:
    unit: Unit
    brands: int
    posts: int

    @property
    def has_brand(self) -> bool:
        return self.brands > 0

    @property
    def has_post(self) -> bool:
        return self.posts > 0


@dataclass(frozen=True)
class YearCoverage:
    """Coverage at the end of `year`: today's active units with a case of that year or before."""

    year: int
    brand: Ratio
    post: Ratio
    new_brands: int  # published brands whose `year` is this year
    new_posts: int


@dataclass(frozen=True)
class Coverage:
    brand: Ratio
    post: Ratio
    units: tuple[UnitCoverage, ...]  # active units, registry order
    by_org_type: tuple[tuple[str, Ratio, Ratio], ...]  # (org_type, brand, post)
    target: float
    by_year: tuple[YearCoverage, ...] = ()  # oldest year first, every year up to the newest
    as_of: date | None = None  # the build date the figures are true at

    @property
    def as_of_text(self) -> str:
        """ "2026年3月5日" (official style: no zero padding, no spaces)."""
        d = self.as_of
        return f"{d.year}年{d.month}月{d.day}日" if d else ""

    @property
    def uncovered_both(self) -> tuple[Unit, ...]:
        return tuple(u.unit for u in self.units if not u.has_brand and not u.has_post)

    @property
    def uncovered_brand(self) -> tuple[Unit, ...]:
        return tuple(u.unit for u in self.units if not u.has_brand)

    @property
    def uncovered_post(self) -> tuple[Unit, ...]:
        return tuple(u.unit for u in self.units if not u.has_post)

    def of(self, unit_id: str) -> UnitCoverage | None:
        return next((u for u in self.units if u.unit.id == unit_id), None)

    def as_json(self) -> dict:
        """The shape of `data/coverage.json` (case-format.md, section 6)."""

        def ratio(r: Ratio) -> dict:
            return {"covered": r.covered, "total": r.total, "ratio": round(r.ratio, 4)}

        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "brand": ratio(self.brand),
            "post": ratio(self.post),
            "target": self.target,
            "units": [
                {"id": u.unit.id, "name": u.unit.name, "brands": u.brands, "posts": u.posts}
                for u in self.units
            ],
            "by_year": [
                {
                    "year": y.year,
                    "brand": ratio(y.brand),
                    "post": ratio(y.post),
                    "new_brands": y.new_brands,
                    "new_posts": y.new_posts,
                }
                for y in self.by_year
            ],
        }


def as_of_date(epoch: str | int) -> date:
    """The calendar day (Beijing time) of a SOURCE_DATE_EPOCH value."""
    return datetime.fromtimestamp(int(epoch), UTC).astimezone(BEIJING).date()


def _by_year(library: Library, units: tuple[UnitCoverage, ...]) -> tuple[YearCoverage, ...]:
    published = library.published
    if not published:
        return ()
    active = {u.unit.id for u in units}
    first: dict[tuple[str, str], int] = {}  # (unit id, kind) -> year of its first case
    for c in published:
        if c.unit.id in active:
            key = (c.unit.id, c.kind)
            first[key] = min(first.get(key, c.year), c.year)
    out = []
    for year in range(min(c.year for c in published), max(c.year for c in published) + 1):

        def covered(kind: str, year: int = year) -> Ratio:
            return Ratio(
                sum(1 for u in active if first.get((u, kind), year + 1) <= year), len(units)
            )

        out.append(
            YearCoverage(
                year,
                covered("brand"),
                covered("post"),
                sum(1 for c in library.brands if c.year == year),
                sum(1 for c in library.posts if c.year == year),
            )
        )
    return tuple(out)


def compute(library: Library, as_of: date | None = None) -> Coverage:
    counts = {u.id: [0, 0] for u in library.units}
    for case in library.published:
        counts[case.unit.id][0 if case.kind == "brand" else 1] += 1
    units = tuple(UnitCoverage(u, *counts[u.id]) for u in library.units if u.active)

    def ratios(subset: tuple[UnitCoverage, ...]) -> tuple[Ratio, Ratio]:
        return (
            Ratio(sum(u.has_brand for u in subset), len(subset)),
            Ratio(sum(u.has_post for u in subset), len(subset)),
        )

    by_type = tuple(
        (t, *ratios(tuple(u for u in units if u.unit.org_type == t))) for t in ORG_TYPES
    )
    brand, post = ratios(units)
    return Coverage(
        brand,
        post,
        units,
        by_type,
        library.settings.coverage_target,
        _by_year(library, units),
        as_of,
    )


def units_needed(ratio: Ratio, target: float) -> int:
    """How many more units must be covered to reach the target (0 when reached)."""
    # round() first: 0.8 * 5 is 4.000000000000001 in floating point
    return max(0, math.ceil(round(target * ratio.total, 6)) - ratio.covered)
