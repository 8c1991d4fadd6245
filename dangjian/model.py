"""Typed objects of a case library, built only from validated documents.

Everything downstream of validation (pages, casebook, data files, coverage)
works on these objects and never looks at YAML again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .image_paths import resolve_image

OrgType = Literal["机关党委", "党总支", "党支部"]
ORG_TYPES: tuple[str, ...] = ("机关党委", "党总支", "党支部")
KINDS: tuple[str, ...] = ("brand", "post")
KIND_LABELS = {"brand": "党建品牌", "post": "党员示范岗"}

DEFAULT_THEMES: tuple[str, ...] = (
    "政治建设",
    "理论武装",
    "组织建设",
    "作风建设",
    "清廉机关",
    "为民服务",
    "业务融合",
    "志愿服务",
)


def listed_themes(data: object) -> tuple[str, ...]:
    """The themes a themes.yaml holds (its strings), or DEFAULT_THEMES without a usable one.

    `data` is the file's parsed content, None when there is no such file or it
    could not be read: the one fallback rule of check, build, new and the editor.
    """
    if isinstance(data, dict) and isinstance(data.get("themes"), list):
        return tuple(t for t in data["themes"] if isinstance(t, str))
    return DEFAULT_THEMES


@dataclass(frozen=True)
class Branch:
    id: str
    name: str


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    org: str
    org_type: str
    branches: tuple[Branch, ...] = ()
    active: bool = True
    reviewers: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # short names people type (发改局), for search

    def branch(self, branch_id: str) -> Branch | None:
        return next((b for b in self.branches if b.id == branch_id), None)


@dataclass(frozen=True)
class Image:
    """An image referenced by a case: the source file and what the case says of it."""

    path: Path  # absolute path of the source file (inside the unit folder)
    rel: str  # path relative to the cases root, posix, e.g. "fgw/images/logo.png"
    caption: str = ""


@dataclass(frozen=True)
class Practice:
    title: str
    text: str  # Markdown


@dataclass(frozen=True)
class Metric:
    label: str
    value: int | float
    unit: str


@dataclass(frozen=True, kw_only=True)
class Case:
    id: str
    kind: str
    unit: Unit
    branch: Branch | None
    title: str
    summary: str
    themes: tuple[str, ...]
    year: int
    status: str
    photos: tuple[Image, ...]
    source: str  # path of the case file relative to the project, e.g. "cases/fgw/x.yaml"

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def org_name(self) -> str:
        """The party organization that owns the case: its branch, else the unit's own."""
        return self.branch.name if self.branch else self.unit.org

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def url(self) -> str:
        """Site-relative URL of the case page, e.g. "brands/hongse-yinqing/"."""
        return f"{self.kind}s/{self.id}/"


@dataclass(frozen=True, kw_only=True)
class Brand(Case):
    slogan: str
    logo: Image | None
    concept: str  # Markdown
    practices: tuple[Practice, ...]
    results: str  # Markdown
    metrics: tuple[Metric, ...]
    honors: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Post(Case):
    holders: tuple[str, ...]
    duties: str  # Markdown
    commitments: tuple[str, ...]
    results: str  # Markdown, may be empty
    batch: str


@dataclass(frozen=True)
class CasebookSettings:
    title: str = "党建品牌与党员示范岗案例汇编"
    subtitle: str = ""
    issuer: str = ""
    year: int | None = None
    preface: str = ""  # Markdown
    # Colophon (版权页).
    mark: str = "内部资料 注意保存"
    print_date: str = ""  # "2026-03" or "2026-03-15"; empty: the month of the export
    print_run: int | None = None  # copies printed (印数)
    permit: str = ""  # 准印证号, optional
    # Font families: PDF faces by fontconfig name, Word faces as Word/WPS name them.
    # An empty heading2 means 楷体 when one is installed, else the heading face.
    fonts: dict[str, str] = field(default_factory=dict)
    word_fonts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Optional `cases/settings.yaml`: what the owners of a site configure."""

    site_name: str = "机关党建品牌案例库"
    organization: str = ""
    coverage_target: float = 0.8  # ratio, drawn as a mark on the indicators
    latest_count: int = 8
    casebook: CasebookSettings = field(default_factory=CasebookSettings)


@dataclass(frozen=True)
class Library:
    root: Path  # the cases/ folder
    units: tuple[Unit, ...]  # registry order
    cases: tuple[Case, ...]  # every valid case, drafts included, sorted by (unit order, kind, id)
    themes: tuple[str, ...]
    settings: Settings = field(default_factory=Settings)

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    @property
    def published(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if c.published)

    @property
    def brands(self) -> tuple[Brand, ...]:
        return tuple(c for c in self.published if isinstance(c, Brand))

    @property
    def posts(self) -> tuple[Post, ...]:
        return tuple(c for c in self.published if isinstance(c, Post))

    def cases_of(self, unit_id: str) -> tuple[Case, ...]:
        """Published cases of one unit (its own and its branches')."""
        return tuple(c for c in self.published if c.unit.id == unit_id)

    def select(
        self,
        units: Iterable[str] = (),
        themes: Iterable[str] = (),
        years: Iterable[int] = (),
    ) -> tuple[Case, ...]:
        """Published cases narrowed by unit, theme and year (an empty filter keeps all)."""
        units, themes, years = set(units), set(themes), set(years)
        return tuple(
            c
            for c in self.published
            if (not units or c.unit.id in units)
            and (not themes or themes.intersection(c.themes))
            and (not years or c.year in years)
        )


# -- building the model from validated files ----------------------------------


def build(files) -> Library:  # files: load.LibraryFiles, validated without diagnostics
    """Typed objects from a library that passed validation (nothing is re-checked here)."""
    units = tuple(_unit(u) for u in files.units.data["units"])
    by_id = {u.id: u for u in units}
    order = {u.id: i for i, u in enumerate(units)}
    themes = listed_themes(files.themes.data if files.themes is not None else None)
    cases = []
    for src in files.cases:
        d, unit = src.data, by_id[src.unit_dir]
        root = src.path.parent

        def image(value: str, caption: str = "", unit=unit, root=root) -> Image:
            path = resolve_image(root, value)
            return Image(path, f"{unit.id}/{path.relative_to(root).as_posix()}", caption)

        common = dict(
            id=src.stem,
            kind=d["kind"],
            unit=unit,
            branch=unit.branch(d["branch"]) if d.get("branch") else None,
            title=d["title"].strip(),
            summary=(d.get("summary") or "").strip(),
            themes=tuple(d["themes"]),
            year=d["year"],
            status=d.get("status", "published"),
            photos=tuple(image(p["file"], p["caption"]) for p in d.get("photos") or ()),
            source=src.rel,
        )
        if d["kind"] == "brand":
            cases.append(Brand(
                **common,
                slogan=(d.get("slogan") or "").strip(),
                logo=image(d["logo"], d["title"]) if d.get("logo") else None,
                concept=d["concept"],
                practices=tuple(Practice(p["title"].strip(), p["text"]) for p in d["practices"]),
                results=d["results"],
                metrics=tuple(Metric(m["label"], m["value"], m["unit"]) for m in d.get("metrics") or ()),
                honors=tuple(d.get("honors") or ()),
            ))
        else:
            cases.append(Post(
                **common,
                holders=tuple(d["holders"]),
                duties=d["duties"],
                commitments=tuple(d["commitments"]),
                results=d.get("results") or "",
                batch=(d.get("batch") or "").strip(),
            ))
    cases.sort(key=lambda c: (order[c.unit.id], KINDS.index(c.kind), c.id))
    settings = _settings(files.settings.data if files.settings is not None else {})
    return Library(files.root, units, tuple(cases), tuple(themes), settings)


def _unit(d: dict) -> Unit:
    return Unit(
        id=d["id"],
        name=d["name"],
        org=d["org"],
        org_type=d["org_type"],
        branches=tuple(Branch(b["id"], b["name"]) for b in d.get("branches") or ()),
        active=d.get("active", True),
        reviewers=tuple(d.get("reviewers") or ()),
        aliases=tuple(d.get("aliases") or ()),
    )


def _settings(d: dict) -> Settings:
    book = d.get("casebook") or {}
    defaults = Settings()
    return Settings(
        site_name=d.get("site_name", defaults.site_name),
        organization=d.get("organization", defaults.organization),
        coverage_target=d.get("coverage_target", defaults.coverage_target * 100) / 100,
        latest_count=d.get("latest_count", defaults.latest_count),
        casebook=CasebookSettings(
            title=book.get("title", CasebookSettings.title),
            subtitle=book.get("subtitle", ""),
            issuer=book.get("issuer", d.get("organization", "")),
            year=book.get("year"),
            preface=book.get("preface", ""),
            mark=book.get("mark", CasebookSettings.mark),
            print_date=str(book.get("print_date", "")),
            print_run=book.get("print_run"),
            permit=book.get("permit", ""),
            fonts=dict(book.get("fonts") or {}),
            word_fonts=dict(book.get("word_fonts") or {}),
        ),
    )
