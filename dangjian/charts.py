"""Inline SVG charts of the coverage page: by organization type, and the trend by year.

Both are drawn 400 units wide with no text under 13 units, so that scaled to a
phone's column (about 358 px at 390 px) no label is smaller than 11 px.
"""

from __future__ import annotations

import html

from markupsafe import Markup

from .coverage import Coverage, Ratio

WIDTH = 400
# Text is never under 13 SVG units (coverage.css); tests/test_site_coverage_browser.py
# checks the size it is drawn at on a phone.


def _open(cls: str, height: int, title_id: str, title: str) -> list[str]:
    return [
        f'<svg class="dj-chart {cls}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{html.escape(title)}</title>',
    ]


def _legend(y: int, target: float, target_x: float | None = None) -> list[str]:
    out = [
        f'<rect class="dj-chart__brand" x="0" y="{y - 11}" width="13" height="13"/>',
        f'<text x="19" y="{y}">品牌覆盖率</text>',
        f'<rect class="dj-chart__post" x="112" y="{y - 11}" width="13" height="13"/>',
        f'<text x="131" y="{y}">示范岗覆盖率</text>',
        f'<line class="dj-chart__target" x1="240" y1="{y - 5}" x2="262" y2="{y - 5}"/>',
        f'<text x="268" y="{y}">目标 {target * 100:g}%</text>',
    ]
    return out


def coverage_chart(coverage: Coverage) -> Markup:
    """Brand and post coverage per 组织类型 as bars, the target as a dashed line."""
    rows: list[tuple[str, Ratio, Ratio]] = [("全部单位", coverage.brand, coverage.post)]
    rows += [(t, b, p) for t, b, p in coverage.by_org_type if b.total]
    bar_w, row_h, top = 268, 70, 34
    height = top + row_h * len(rows)
    out = _open(
        "dj-chart--types", height, "dj-chart-types-title", "按组织类型的品牌覆盖率与示范岗覆盖率"
    )
    out += _legend(16, coverage.target)
    for i, (label, brand, post) in enumerate(rows):
        y = top + i * row_h
        out.append(
            f'<text class="dj-chart__label" x="0" y="{y + 14}">{html.escape(label)}'
            f'<tspan class="dj-chart__n" dx="8">{brand.total} 个单位</tspan></text>'
        )
        for j, (ratio, cls) in enumerate(((brand, "brand"), (post, "post"))):
            by = y + 22 + j * 21
            out.append(
                f'<rect class="dj-chart__track" x="0" y="{by}" width="{bar_w}" height="17"/>'
            )
            out.append(
                f'<rect class="dj-chart__{cls}" x="0" y="{by}" '
                f'width="{bar_w * ratio.ratio:.1f}" height="17"/>'
            )
            out.append(
                f'<text class="dj-chart__value" x="{bar_w + 6}" y="{by + 14}">'
                f"{ratio.percent}（{ratio.fraction}）</text>"
            )
    tx = bar_w * coverage.target
    out.append(
        f'<line class="dj-chart__target" x1="{tx:.1f}" y1="{top + 18}" x2="{tx:.1f}" '
        f'y2="{height - 6}"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))


def trend_chart(coverage: Coverage) -> Markup:
    """Brand and post coverage at the end of each year as two lines (coverage.by_year)."""
    years = coverage.by_year
    if not years:
        return Markup("")
    left, right, top, plot_h = 44, 74, 34, 180
    plot_w = WIDTH - left - right
    height = top + plot_h + 30
    n = len(years)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(ratio: float) -> float:
        return top + plot_h * (1 - ratio)

    first, last = years[0].year, years[-1].year
    out = _open(
        "dj-chart--trend",
        height,
        "dj-chart-trend-title",
        f"{first}—{last}年各年末品牌覆盖率与示范岗覆盖率",
    )
    out += _legend(16, coverage.target)
    for tick in (0, 0.5, 1):
        out.append(
            f'<line class="dj-chart__grid" x1="{left}" y1="{y(tick):.1f}" '
            f'x2="{left + plot_w}" y2="{y(tick):.1f}"/>'
        )
        out.append(
            f'<text class="dj-chart__axis" x="{left - 6}" y="{y(tick) + 5:.1f}" '
            f'text-anchor="end">{tick * 100:g}%</text>'
        )
    out.append(
        f'<line class="dj-chart__target" x1="{left}" y1="{y(coverage.target):.1f}" '
        f'x2="{left + plot_w}" y2="{y(coverage.target):.1f}"/>'
    )
    # every `step`-th year counted back from the newest, so the newest is always labelled
    step = 1 if n <= 7 else (n + 5) // 6
    for i in range(n - 1, -1, -step):
        out.append(
            f'<text class="dj-chart__axis" x="{x(i):.1f}" y="{top + plot_h + 22}" '
            f'text-anchor="middle">{years[i].year}</text>'
        )
    for kind in ("brand", "post"):
        points = " ".join(
            f"{x(i):.1f},{y(getattr(yc, kind).ratio):.1f}" for i, yc in enumerate(years)
        )
        out.append(f'<polyline class="dj-chart__line dj-chart__line--{kind}" points="{points}"/>')
        for i, yc in enumerate(years):
            r = getattr(yc, kind)
            out.append(
                f'<circle class="dj-chart__{kind}" cx="{x(i):.1f}" cy="{y(r.ratio):.1f}" '
                f'r="3"><title>{yc.year}年末 {r.percent}（{r.fraction}）</title></circle>'
            )
    # the newest values beside the line ends; kept apart when the two lines end close
    b, p = years[-1].brand.ratio, years[-1].post.ratio
    yb, yp = y(b) + 5, y(p) + 5
    if abs(yb - yp) < 16:
        yb, yp = (yb - 8, yp + 8) if b >= p else (yb + 8, yp - 8)
    for kind, ty in (("brand", yb), ("post", yp)):
        out.append(
            f'<text class="dj-chart__value" x="{x(n - 1) + 8:.1f}" y="{ty:.1f}">'
            f"{getattr(years[-1], kind).percent}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))
