"""The case layer without a build: pages, data files, escaping."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import REPO, SMALL, open_valid

from dangjian import coverage as coverage_mod
from dangjian.pages import (
    Rendered,
    five_haves,
    md_text,
    render_pages,
    source_link,
    units_needed,
)
from dangjian.search import dictionary_words, user_dictionary


@pytest.fixture(scope="module")
def library():
    return open_valid(SMALL)


@pytest.fixture(scope="module")
def rendered(library) -> Rendered:
    return render_pages(library, coverage_mod.compute(library))


def front_matter(page: str) -> dict:
    assert page.startswith("---\n")
    return yaml.safe_load(page.split("---\n")[1])


def test_one_page_per_unit_published_case_theme_and_year(rendered, library):
    files = set(rendered.files)
    for unit in library.units:
        assert f"units/{unit.id}.md" in files
    assert {f for f in files if f.startswith(("brands/", "posts/"))} == {
        "brands/index.md", "posts/index.md",
        "brands/hongse-yinqing.md", "brands/yusuan-qingfeng.md", "brands/fazhi-xianfeng.md",
        "posts/xiangmu-gang.md", "posts/falv-yuanzhu.md",
    }
    assert {"index.md", "coverage/index.md", "themes/index.md", "themes/weimin.md",
            "years/index.md", "years/2021.md", "years/2024.md",
            "data/cases.json", "data/coverage.json"} <= files


def test_drafts_appear_nowhere(rendered):
    for path, text in rendered.files.items():
        assert "caogao-pinpai" not in path
        assert "未发布草稿品牌" not in text, path
        assert "草稿内容" not in text and "草稿做法" not in text, path
        assert "caogao" not in text, path


def test_data_files_follow_the_contract(rendered):
    cases = json.loads(rendered.files["data/cases.json"])
    assert [c["id"] for c in cases] == [
        "hongse-yinqing", "xiangmu-gang", "yusuan-qingfeng", "fazhi-xianfeng", "falv-yuanzhu"
    ]
    assert cases[0] == {
        "id": "hongse-yinqing", "kind": "brand", "unit": "fgw", "title": "红色引擎",
        "year": 2021, "themes": ["业务融合", "作风建设"], "url": "brands/hongse-yinqing/",
    }
    cov = json.loads(rendered.files["data/coverage.json"])
    assert cov["brand"] == {"covered": 3, "total": 4, "ratio": 0.75}
    assert cov["post"] == {"covered": 2, "total": 4, "ratio": 0.5}
    assert [u["id"] for u in cov["units"]] == ["fgw", "czj", "sfj", "tyj"]  # daj is inactive
    assert cov["units"][1] == {"id": "czj", "name": "区财政局", "brands": 1, "posts": 0}


def test_home_shows_the_coverage_figure_target_and_counts(rendered):
    home = rendered.files["index.md"]
    assert "品牌覆盖率" in home
    assert '<span class="dj-indicator__percent">75.0%</span>' in home
    assert '<span class="dj-indicator__fraction">（3/4）</span>' in home
    assert 'class="dj-indicator__target" style="left: 80.0%"' in home
    assert "尚差 1 个单位" in home
    assert '<span class="dj-count__n">3</span><span class="dj-count__label">个党建品牌' in home
    assert '<span class="dj-count__n">2</span><span class="dj-count__label">个党员示范岗' in home
    # latest_count: 3, newest year first
    assert home.count('<li class="dj-case') == 3
    assert home.index("fazhi-xianfeng") < home.index("xiangmu-gang")


def test_coverage_page_lists_uncovered_units_with_links(rendered):
    page = rendered.files["coverage/index.md"]
    brand_part = page.split("尚无党建品牌的单位")[1].split("尚无党员示范岗的单位")[0]
    assert '<a href="../units/tyj.md">区体育局</a>' in brand_part
    assert "区财政局" not in brand_part
    post_part = page.split("尚无党员示范岗的单位")[1]
    assert '<a href="../units/czj.md">区财政局</a>' in post_part
    assert "<svg" in page and "目标 80%" in page
    for org_type in ("机关党委", "党总支", "党支部"):
        assert f"<td>{org_type}</td>" in page


def test_unit_page_says_covered_or_not(rendered):
    czj = rendered.files["units/czj.md"]
    assert "中共区财政局机关总支部委员会" in czj and "党总支" in czj
    assert "党建品牌：已覆盖（1 个）" in czj
    assert "党员示范岗：未覆盖" in czj
    assert "预算科党支部" in czj
    assert "该单位已停用" in rendered.files["units/daj.md"]


def test_brand_page_has_every_field(rendered):
    page = rendered.files["brands/hongse-yinqing.md"]
    for text in ("项目推进到哪里，党旗就插到哪里", "以重点项目为载体", "综合科党支部",
                 "## 品牌内涵", "<strong>党建引领</strong>", "### 1. 项目专班 { #practice-1 }",
                 "### 2. 每周调度 { #practice-2 }", "<li>当场明确责任人</li>", "## 工作成效",
                 '<span class="dj-metric__value">46</span><span class="dj-metric__unit">个',
                 '<span class="dj-metric__value">95</span>', "区级五星级党支部",
                 "业务融合", "作风建设", "2021 年"):
        assert text in page, text


def test_five_haves_checklist(library, rendered):
    brands = {b.id: b for b in library.brands}
    assert five_haves(brands["hongse-yinqing"]).count == 5
    check = five_haves(brands["yusuan-qingfeng"])
    assert [ok for *_, ok in check.items] == [True, False, True, True, True]
    assert "具备 4 项，共 5 项" in rendered.files["brands/yusuan-qingfeng.md"]


def test_post_page_shows_the_pledge_card(rendered):
    page = rendered.files["posts/xiangmu-gang.md"]
    assert '<div class="dj-pledge">' in page
    assert '<span class="dj-pledge__holder">张建国</span>' in page
    assert "<li>咨询当场答复</li>" in page and "<li>材料一次告知</li>" in page
    assert "## 岗位职责" in page and "第一批" in page


def test_case_text_is_escaped_everywhere(rendered):
    page = rendered.files["brands/fazhi-xianfeng.md"]
    meta = front_matter(page)
    # Material writes these into <title> and <meta> unescaped: they must be escaped HTML
    assert meta["title"] == "法治先锋&lt;b&gt;护航&lt;/b&gt;{{ 7*7 }}"
    assert "<script>" not in meta["description"]
    assert "<b>护航</b>" not in page
    assert "<script" not in page and "<img" not in page and "<iframe" not in page
    assert "<style" not in page and 'href="javascript' not in page
    assert "# 法治先锋&lt;b&gt;护航&lt;/b&gt;\\{\\{ 7\\*7 \\}\\}" in page
    # a practice title cannot become a link or attributes
    assert "### 1. \\[点我\\]\\(javascript:alert\\(2\\)\\) \\*普法\\* \\{: \\.evil \\}" in page
    for path, text in rendered.files.items():
        if path.endswith(".md"):
            assert "<b>护航</b>" not in text, path
    # the data files hold the text as data, exactly as written
    titles = [c["title"] for c in json.loads(rendered.files["data/cases.json"])]
    assert "法治先锋<b>护航</b>{{ 7*7 }}" in titles


def test_md_text_escapes_markdown_and_html():
    expected = "a\\*b\\* &lt;i&gt; \\[x\\]\\(y\\) \\{: \\#id\\} &amp;"
    assert md_text("a*b* <i> [x](y) {: #id} &") == expected


def test_links_go_from_source_file_to_source_file():
    assert source_link("index.md", "units/fgw/") == "units/fgw.md"
    assert source_link("units/fgw.md", "brands/x/") == "../brands/x.md"
    assert source_link("brands/x.md", "") == "../index.md"
    assert source_link("coverage/index.md", "data/coverage.json") == "../data/coverage.json"
    assert source_link("units/index.md", "units/") == "index.md"
    assert source_link("units/index.md", "units/fgw/#brands") == "fgw.md#brands"
    assert source_link("brands/x.md", "assets/cases/a.jpg") == "../assets/cases/a.jpg"


def test_units_needed_avoids_float_surprises():
    from dangjian.coverage import Ratio

    assert units_needed(Ratio(3, 5), 0.8) == 1  # 0.8 * 5 is 4.000000000000001
    assert units_needed(Ratio(48, 61), 0.8) == 1
    assert units_needed(Ratio(49, 61), 0.8) == 0


def test_user_dictionary_holds_unit_names_and_titles(library):
    words = dictionary_words(library)
    names = {"区发展和改革局", "红色引擎", "预算清风", "法律援助党员示范岗", "综合科党支部", "发改局"}
    assert names <= set(words)
    assert "未发布草稿品牌" not in words  # drafts stay out of search, also of its dictionary
    assert "法治先锋" in words and "护航" in words  # Han runs of a mixed title
    assert user_dictionary(library).endswith("\n")


def test_project_templates_override_the_defaults(library, tmp_path):
    (tmp_path / "unit.md.j2").write_text("---\ntitle: x\n---\n# 自定义 {{ unit.name }}\n", "utf-8")
    rendered = render_pages(library, coverage_mod.compute(library), overrides=tmp_path)
    assert rendered.files["units/fgw.md"].endswith("# 自定义 区发展和改革局\n")
    assert "dj-indicator" in rendered.files["index.md"]


def test_nav_lists_sections_only():
    config = yaml.load((REPO / "mkdocs.yml").read_text("utf-8"), Loader=yaml.BaseLoader)
    nav = [next(iter(item.values())) for item in config["nav"]]
    assert nav[:7] == ["index.md", "units/index.md", "brands/index.md", "posts/index.md",
                       "themes/index.md", "years/index.md", "coverage/index.md"]
    # the contributor guide is a section of its hand-written pages and the generated
    # 在线填写 form, none of them a case
    guide = nav[7]
    assert guide[0] == "guide/index.md"
    assert [next(iter(p.values())) for p in guide[1:]] == [
        "guide/fields.md", "form/index.md", "guide/templates.md", "guide/admin.md"]
    assert "snippets" not in (REPO / "mkdocs.yml").read_text("utf-8")


def test_site_and_casebook_write_figures_by_one_rule():
    """A metric reads the same on the site and in print: "12,500", "3860", "3.5"."""
    from dangjian import casebook_html, numbers
    from dangjian.pages import make_environment

    site, book = make_environment().filters["number"], casebook_html.environment().filters["number"]
    assert site is book is numbers.number
    assert [site(v) for v in (12500, 3860, 3.50, 12.0, 1234567.25)] == [
        "12,500", "3860", "3.5", "12", "1,234,567.25"
    ]  # fmt: skip
