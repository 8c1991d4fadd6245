"""The search index: one entry per page people look for, made from the validated model.

An entry keeps Material's `location`, `title` and `text` (escaped HTML, shown
in the result list) and adds what the browser matches (all folded to
simplified characters, lower case):

  n   the page's own names: a case's title; a unit's name and aliases;
      matched by substring, so "发展和改革局" and "明镜" find their page
  m   names the page belongs with: a case's unit, its aliases, branch, holders,
      themes and year; a unit's party organization and branches
  w   the distinct words of the body (jieba's search segmentation)

`raw_entries(library)` is a pure function of the model (the seam's
SiteSource.search); `complete_index` segments them and merges them with what
Material's plugin indexed of the hand-written pages (the guide).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from . import coverage as coverage_mod
from .markdown import render_markdown, text_of
from .model import Brand, Case, Library, Unit
from .pages import theme_slug
from .search import fold

FORMAT = "dangjian-1"  # config.dj of the index: the worker knows the fields above
# Pages that entries() describes: Material's own entries for them are dropped.
GENERATED = ("units/", "brands/", "posts/", "themes/", "years/", "coverage/", "data/")
GUIDE_BOOST = 0.5  # score factor of the hand-written pages (the guide)
PREVIEW = 120  # characters of body text shown under a result that has no summary
MARKS = ("\u200b", "\u034f")  # Material's word marks (and the compact index's, formerly)

_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|tr|blockquote|pre)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")

Segment = Callable[[str], str]


def plain_text(markdown_text: str) -> str:
    """The words of an (md) field as plain text (what the page shows, without markup)."""
    return text_of(_BLOCK_END.sub(" ", render_markdown(markdown_text)))


def _join(parts: list[str]) -> str:
    return _SPACE.sub(" ", " ".join(p for p in parts if p)).strip()


def _names(values: list[str]) -> list[str]:
    """Folded, distinct, non-empty names in their order."""
    return list(dict.fromkeys(f for v in values if (f := _SPACE.sub(" ", fold(v)).strip())))


def _entry(
    location: str, title: str, preview: str, own: list[str], belongs: list[str], body: str
) -> dict:
    entry = {
        "location": location,
        "title": html.escape(title, quote=False),
        "text": f"<p>{html.escape(preview, quote=False)}</p>" if preview else "",
        "n": _names(own),
    }
    belongs_to = [n for n in _names(belongs) if n not in entry["n"]]
    if belongs_to:
        entry["m"] = belongs_to
    if body:
        entry["body"] = body  # plain text; segment_entries() turns it into the words "w"
    return entry


def case_body(case: Case) -> str:
    """What a case page says besides its names, in reading order, as plain text."""
    parts = [case.summary]
    if isinstance(case, Brand):
        parts += [case.slogan, plain_text(case.concept)]
        for p in case.practices:
            parts += [p.title, plain_text(p.text)]
        parts.append(plain_text(case.results))
        parts += [f"{m.label} {m.value:g} {m.unit}" for m in case.metrics]
        parts += list(case.honors)
    else:
        parts += [plain_text(case.duties), *case.commitments, plain_text(case.results), case.batch]
    return _join(parts)


def case_entry(case: Case) -> dict:
    unit = case.unit
    belongs = [
        unit.name,
        *unit.aliases,
        case.org_name,
        *case.themes,
        f"{case.year}年",
        case.kind_label,
    ]
    if not isinstance(case, Brand):
        belongs[:0] = list(case.holders)  # a holder's name finds the post first
    return _entry(case.url, case.title, case.summary, [case.title], belongs, case_body(case))


def _unit_facts(unit: Unit, cases: list[Case]) -> str:
    parts = [f"直属党组织：{unit.org}（{unit.org_type}）"]
    if unit.aliases:
        parts.append(f"简称：{'、'.join(unit.aliases)}")
    if unit.branches:
        parts.append(f"所属党支部：{'、'.join(b.name for b in unit.branches)}")
    if cases:
        parts.append(f"案例：{'、'.join(c.title for c in cases)}")
    if not unit.active:
        parts.append("该单位已停用")
    return "；".join(parts) + "。"


def unit_entry(unit: Unit, cases: list[Case]) -> dict:
    facts = _unit_facts(unit, cases)
    belongs = [unit.org, *(b.name for b in unit.branches)]
    return _entry(f"units/{unit.id}/", unit.name, facts, [unit.name, *unit.aliases], belongs, facts)


def _listing(location: str, title: str, own: list[str], cases: list[Case]) -> dict:
    titles = "、".join(c.title for c in cases)
    preview = f"共 {len(cases)} 个案例：{titles}" if cases else "尚无已发布的案例。"
    if len(preview) > PREVIEW:
        preview = preview[:PREVIEW] + "……"
    return _entry(location, title, preview, own, [], titles)


def coverage_entry(library: Library) -> dict:
    cov = coverage_mod.compute(library)
    brand_missing = "、".join(u.name for u in cov.uncovered_brand) or "无"
    post_missing = "、".join(u.name for u in cov.uncovered_post) or "无"
    preview = (
        f"党建品牌覆盖率 {cov.brand.percent}（{cov.brand.fraction}），"
        f"党员示范岗覆盖率 {cov.post.percent}（{cov.post.fraction}）。"
    )
    body = f"{preview}尚未覆盖党建品牌的单位：{brand_missing}。尚未覆盖党员示范岗的单位：{post_missing}。"
    return _entry("coverage/", "覆盖率", preview, ["覆盖率", "覆盖情况"], ["未覆盖单位"], body)


def raw_entries(library: Library) -> list[dict]:
    """Every entry of the generated pages, not yet segmented (plain data: the seam's `search`).

    Cases, units, the brand and post listings, themes, years, the overview
    pages and coverage. Each entry's `body` is the plain text whose words
    segment_entries() puts into `w`.
    """
    published = library.published
    out = [case_entry(c) for c in published]
    for unit in library.units:
        out.append(unit_entry(unit, [c for c in published if c.unit.id == unit.id]))
    out.append(_listing("brands/", "党建品牌", ["党建品牌", "品牌"], list(library.brands)))
    out.append(_listing("posts/", "党员示范岗", ["党员示范岗", "示范岗"], list(library.posts)))
    for theme in library.themes:
        mine = [c for c in published if theme in c.themes]
        slug = theme_slug(library, theme)
        out.append(_listing(f"themes/{slug}/", f"主题：{theme}", [theme], mine))
    for year in sorted({c.year for c in published}, reverse=True):
        mine = [c for c in published if c.year == year]
        out.append(_listing(f"years/{year}/", f"{year} 年", [f"{year}年", str(year)], mine))
    out += overview_entries(library)
    out.append(coverage_entry(library))
    return out


def index_texts(entries: list[dict]) -> list[str]:
    """Every text segment_entries() will segment (to segment them ahead, in another process)."""
    return [e["body"] for e in entries if e.get("body")]


def segment_entries(entries: list[dict], segment: Segment) -> list[dict]:
    """The entries as the index holds them: `body` replaced by its search words `w`."""
    out = []
    for entry in entries:
        done = {k: v for k, v in entry.items() if k != "body"}
        words = segment(entry["body"]) if entry.get("body") else ""
        if words:
            done["w"] = words
        out.append(done)
    return out


def entries(library: Library, segment: Segment) -> list[dict]:
    """raw_entries() segmented."""
    return segment_entries(raw_entries(library), segment)


def overview_entries(library: Library) -> list[dict]:
    """The pages that list every unit, theme and year: found by their own names."""
    years = sorted({c.year for c in library.published}, reverse=True)
    active = [u for u in library.units if u.active]
    return [
        _entry(
            "units/",
            "单位",
            f"共 {len(active)} 个在册单位及其党建品牌、党员示范岗。",
            ["单位", "单位列表", "全部单位"],
            [],
            "",
        ),
        _entry(
            "themes/",
            "主题",
            f"按主题查看案例：{'、'.join(library.themes)}。",
            ["主题", "全部主题"],
            [],
            "",
        ),
        _entry(
            "years/",
            "年份",
            f"按年份查看案例：{'、'.join(f'{y} 年' for y in years)}。"
            if years
            else "尚无已发布的案例。",
            ["年份", "全部年份"],
            [],
            "",
        ),
    ]


# ---------------------------------------------------------------------------
# Material's entries of the hand-written pages


def _unmark(value: str) -> str:
    for mark in MARKS:
        value = value.replace(mark, "")
    return value


def material_entries(docs: list[dict], segment: Segment) -> Iterator[dict]:
    """Material's entries of pages we do not generate, in our format; empty sections dropped."""
    for doc in docs:
        location = doc.get("location", "")
        page = location.split("#")[0]
        if page == "" or page.startswith(GENERATED):
            continue  # the home page repeats the cases; the others come from the model
        title, text = _unmark(doc.get("title", "")), _unmark(doc.get("text", ""))
        if "#" in location and not _TAG.sub("", text).strip():
            continue
        plain_title = html.unescape(_TAG.sub("", title))
        # help for contributors: below the content people look for, at equal match
        entry = {
            "location": location,
            "title": title,
            "text": text,
            "n": _names([plain_title]),
            "boost": GUIDE_BOOST,
        }
        words = segment(html.unescape(_TAG.sub(" ", text)))
        if words:
            entry["w"] = words
        yield entry


def build_index(material: dict, entries: list[dict], segment: Segment) -> bytes:
    """The whole index, as written: Material's config, the entries, compact UTF-8 JSON.

    `entries` are raw_entries() of the library; Material's own entries are
    kept for the hand-written pages only. An index whose Chinese text has no
    Chinese words is refused (check_segmented) before it is written out.
    """
    config = dict(material.get("config") or {}, dj=FORMAT)
    docs = list(material_entries(material.get("docs") or [], segment))
    data = {"config": config, "docs": docs + segment_entries(entries, segment)}
    check_segmented(data)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def complete_index(path: Path, entries: list[dict], segment) -> tuple[int, int]:
    """Replace Material's search_index.json by ours. Returns (bytes before, bytes after)."""
    raw = path.read_bytes()
    out = build_index(json.loads(raw), entries, segment)
    if hasattr(segment, "save"):
        segment.save()
    path.write_bytes(out)
    return len(raw), len(out)


def check_segmented(data: dict) -> None:
    """Refuse an index whose Chinese text has no Chinese words (jieba did not run)."""
    from .errors import UserError

    han = re.compile(r"[\u4e00-\u9fff]{2,}")
    has_text = any(han.search(d.get("text", "")) for d in data["docs"])
    has_words = any(han.search(d.get("w", "")) for d in data["docs"])
    if has_text and not has_words:
        raise UserError(
            "搜索索引中的中文没有分词（jieba 未能运行）：这样的站点搜不到案例，因此停止构建。"
            "请运行 bash scripts/setup.sh 重新安装依赖后再构建。"
        )
