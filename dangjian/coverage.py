"""The coverage figures: how many active units have a published brand / model post.

Computed from the model only, never typed by hand (domain.md, "The figures").
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ORG_TYPES, Library, Unit


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
class Coverage:
    brand: Ratio
    post: Ratio
    units: tuple[UnitCoverage, ...]  # active units, registry order
    by_org_type: tuple[tuple[str, Ratio, Ratio], ...]  # (org_type, brand, post)
    target: float

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
            "brand": ratio(self.brand),
            "post": ratio(self.post),
            "target": self.target,
            "units": [
                {"id": u.unit.id, "name": u.unit.name, "brands": u.brands, "posts": u.posts}
                for u in self.units
            ],
        }


def compute(library: Library) -> Coverage:
    counts = {u.id: [0, 0] for u in library.units}
    for case in library.published:
        counts[case.unit.id][0 if case.kind == "brand" else 1] += 1
    units = tuple(
        UnitCoverage(u, *counts[u.id]) for u in library.units if u.active
    )

    def ratios(subset: tuple[UnitCoverage, ...]) -> tuple[Ratio, Ratio]:
        return (
            Ratio(sum(u.has_brand for u in subset), len(subset)),
            Ratio(sum(u.has_post for u in subset), len(subset)),
        )

    by_type = tuple(
        (t, *ratios(tuple(u for u in units if u.unit.org_type == t))) for t in ORG_TYPES
    )
    brand, post = ratios(units)
    return Coverage(brand, post, units, by_type, library.settings.coverage_target)
