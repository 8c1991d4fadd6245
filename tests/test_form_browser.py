"""The 在线填写 page in a real headless Chromium, on the demo site served under a sub-path.

Files the form downloads are checked with the real `check` in a copy of the demo
library, and the copy is built: what a branch secretary submits is what the site shows.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, Built, build
from playwright.sync_api import expect
from test_browser import CHROMIUM_ARGS, PREFIX, _SubPathHandler

from dangjian import load, validate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "tests" / "artifacts" / "form"
LOGO = REPO / "tests" / "fixtures" / "form" / "hongqi-logo.png"


@pytest.fixture(scope="module")
def server(demo_site: Built) -> Iterator[str]:
    handler = functools.partial(_SubPathHandler, directory=str(demo_site.site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}form/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose requests and console messages are recorded; off-host requests are refused."""

    def __init__(self, browser, server: str, width: int = 1280) -> None:
        self.host = urlsplit(server).netloc
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if urlsplit(route.request.url).netloc == self.host
                else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        self.page.goto(server)
        self.page.locator("#dj-f-title").wait_for()

    def close(self) -> None:
        self.context.close()
        foreign = [
            u
            for u in self.requests
            if urlsplit(u).netloc != self.host and not u.startswith("blob:")
        ]
        assert foreign == [], "requests left the host"
        assert self.problems == [], "console errors"


@pytest.fixture
def watched(browser, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.close()


@pytest.fixture
def library_copy(demo_site: Built, tmp_path: Path) -> Path:
    """A copy of the demo project to drop downloaded files into."""
    target = tmp_path / "project"
    shutil.copytree(demo_site.project, target, ignore=shutil.ignore_patterns("site", ".cache"))
    return target


def check(project: Path, *paths: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build_cases.py"), "check", *paths],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def error_of(page, field: str) -> str:
    return page.locator(f'[data-field-error="{field}"]').inner_text()


def download(page, target_dir: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name="下载").first.click()
    d = info.value
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / d.suggested_filename
    d.save_as(path)
    return path


def choose_unit(page, query: str, unit_id: str) -> None:
    page.get_by_label("查找单位", exact=True).fill(query)
    page.get_by_label("本单位", exact=True).select_option(unit_id)


def fill_brand(page) -> None:
    page.get_by_label("党建品牌", exact=True).check()
    choose_unit(page, "发展和改革", "fgw")
    page.get_by_label("所属支部", exact=True).select_option("fgw-zonghe")
    page.get_by_label("案例编号", exact=True).fill("zaixian-hongqi")
    page.get_by_label("品牌名称", exact=True).fill("红旗飘飘")
    page.get_by_label("品牌口号", exact=True).fill("yes")  # YAML 1.1 would read a bare yes as true
    page.locator("#dj-f-logo-pick").set_input_files(str(LOGO))
    page.get_by_label("品牌内涵", exact=True).fill("红旗：方向。\n\n- 第一条: 12:30 开会\n- no")
    page.get_by_label("主要做法 第1项 标题", exact=True).fill("010 工作法")
    page.get_by_label("主要做法 第1项 说明", exact=True).fill("每周一次：#1 讲评。")
    page.get_by_role("button", name="添加一项主要做法").click()
    page.get_by_label("主要做法 第2项 标题", exact=True).fill("on")
    page.get_by_label("主要做法 第2项 说明", exact=True).fill("2024-01-01 起实行")
    # a third one, moved to the top, then removed again: order follows the buttons
    page.get_by_role("button", name="添加一项主要做法").click()
    page.get_by_label("主要做法 第3项 标题", exact=True).fill("临时一项")
    page.get_by_role("button", name="上移主要做法 第3项").click()
    page.get_by_role("button", name="上移主要做法 第2项").click()
    titles = [p["title"] for p in page.evaluate("djForm.caseData()")["practices"]]
    assert titles == ["临时一项", "010 工作法", "on"]
    page.get_by_role("button", name="删除主要做法 第1项").click()
    page.get_by_label("工作成效", exact=True).fill("效果明显" * 20)
    page.get_by_role("button", name="添加一项数据指标").click()
    page.get_by_label("数据指标 第1项 指标名称", exact=True).fill("志愿服务")
    page.get_by_label("数据指标 第1项 数值", exact=True).fill("300")
    page.get_by_label("数据指标 第1项 单位", exact=True).fill("次")
    page.get_by_role("button", name="添加一项荣誉").click()
    page.get_by_label("荣誉 第1项", exact=True).fill("@先进基层党组织")
    page.get_by_role("button", name="为民服务", exact=True).click()
    page.get_by_role("button", name="业务融合", exact=True).click()
    page.get_by_label("创建年份", exact=True).fill("2021")


def fill_post(page) -> None:
    page.get_by_label("党员示范岗", exact=True).check()
    choose_unit(page, "财政", "czj")
    page.get_by_label("案例编号", exact=True).fill("zaixian-chuangkou")
    page.get_by_label("岗位名称", exact=True).fill("财政业务窗口")
    page.get_by_label("在岗党员 第1项", exact=True).fill("王芳")
    page.get_by_role("button", name="添加一项在岗党员").click()
    page.get_by_label("在岗党员 第2项", exact=True).fill("Null")
    page.get_by_label("岗位职责", exact=True).fill("受理业务，解答咨询。")
    page.get_by_label("承诺事项 第1项", exact=True).fill("一次告知：材料不全时一次说清")
    page.get_by_role("button", name="清廉机关", exact=True).click()
    page.get_by_label("命名年份", exact=True).fill("2024")
    page.get_by_label("批次", exact=True).fill("第三批")


def test_brand_and_post_from_scratch_are_checked_clean_and_built(
    watched: Watched, library_copy: Path, tmp_path: Path
):
    page = watched.page
    fill_brand(page)
    assert "检查通过" in page.locator(".dj-output__status").inner_text()
    assert "“五有”对照：具备 5 项" in page.locator("#dj-preview").inner_text()
    assert "cases/fgw/" in page.locator(".dj-output__where").inner_text()
    assert "cases/fgw/images/hongqi-logo.png" in page.locator(".dj-output__images").inner_text()
    brand = download(page, tmp_path / "downloads")
    assert brand.name == "zaixian-hongqi.yaml"
    text = brand.read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=../../dangjian/schema/case.schema.json\n"
    )
    assert 'slogan: "yes"' in text and "results: |-\n" in text

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="清空，重新填写").click()
    fill_post(page)
    post = download(page, tmp_path / "downloads")

    shutil.copy(brand, library_copy / "cases" / "fgw" / brand.name)
    shutil.copy(LOGO, library_copy / "cases" / "fgw" / "images" / LOGO.name)
    shutil.copy(post, library_copy / "cases" / "czj" / post.name)
    done = check(library_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    data = load.parse_file(brand, "x", "case", "fgw").data
    assert data["slogan"] == "yes" and data["practices"][1]["title"] == "on"
    assert data["metrics"] == [{"label": "志愿服务", "value": 300, "unit": "次"}]
    assert load.parse_file(post, "x", "case", "czj").data["holders"] == ["王芳", "Null"]

    built = build(library_copy, library_copy / "site")
    html = (built.site / "brands" / "zaixian-hongqi" / "index.html").read_text(encoding="utf-8")
    assert "红旗飘飘" in html and "010 工作法" in html and "临时一项" not in html
    assert "五有”对照：具备 5 项" in html
    html = (built.site / "posts" / "zaixian-chuangkou" / "index.html").read_text(encoding="utf-8")
    assert "财政业务窗口" in html and "王芳" in html


def test_typed_mistakes_get_checks_message_on_that_field(
    watched: Watched, library_copy: Path, demo_site: Built
):
    page = watched.page
    assert page.locator("[data-field-error]").count() == 0  # an empty form is not nagged
    fill_brand(page)
    page.get_by_label("品牌名称", exact=True).fill("红" * 37)
    page.get_by_label("创建年份", exact=True).fill("2099")
    page.get_by_label("输入主题", exact=True).fill("为民服物")
    page.get_by_label("输入主题", exact=True).press("Enter")
    shown = {f: error_of(page, f) for f in ("title", "year", "themes[2]")}
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    page.get_by_label("工作成效", exact=True).fill("")  # a required field left empty
    page.get_by_role("button", name="下载").first.click()
    assert "改好后才能下载" in page.locator(".dj-output__status").inner_text()
    shown["results"] = error_of(page, "results")

    # the same values in a file, through the real check
    (library_copy / "cases" / "fgw" / "zaixian-hongqi.yaml").write_text(
        page.evaluate("djForm.yaml()"), encoding="utf-8"
    )
    diags = validate.validate(load.read_library(library_copy))
    said = {d.field: d.message for d in diags if d.file.endswith("zaixian-hongqi.yaml")}
    assert shown == {f: said[f] for f in shown}
    assert (
        "37" in shown["title"]
        and "2099" in shown["year"]
        and "是不是「为民服务」" in shown["themes[2]"]
    )

    # a case id with a full-width colon, then one the library already uses
    existing = next(c for c in demo_site.library.cases if c.unit.id != "fgw")
    for bad in ("zaixian：hongqi", existing.id):
        page.get_by_label("案例编号", exact=True).fill(bad)
        shown_id = error_of(page, "@id")
        path = library_copy / "cases" / "fgw" / f"{bad}.yaml"
        path.write_text("kind: brand\n", encoding="utf-8")
        diags = validate.validate(load.read_library(library_copy))
        path.unlink()
        said = [
            d.message
            for d in diags
            if d.file == f"cases/fgw/{bad}.yaml" and d.code in ("bad-id", "duplicate-case-id")
        ]
        assert said == [shown_id]
    assert downloads == []

    # a pasted file with a full-width colon gets load's message and line
    page.get_by_text("或粘贴案例文件的内容").click()
    page.get_by_label("把案例文件的全部内容粘贴在这里").fill("kind: brand\ntitle：红旗\n")
    page.get_by_role("button", name="读取粘贴的内容").click()
    src = load.SourceFile(Path("x.yaml"), "x.yaml", "case")
    load.parse_text("kind: brand\ntitle：红旗\n", src)
    expect(page.locator(".dj-form__open-status")).to_have_text(
        f"第 {src.problems[0].line} 行：{src.problems[0].message}"
    )


def test_editing_a_demo_case_changes_only_that_field(
    watched: Watched, library_copy: Path, tmp_path: Path
):
    page = watched.page
    original = library_copy / "cases" / "fgw" / "xiangmu-qianxian.yaml"
    page.locator("#dj-open-file").set_input_files(str(original))
    expect(page.locator(".dj-form__open-status")).to_contain_text(
        "已打开案例 cases/fgw/xiangmu-qianxian.yaml"
    )
    assert page.get_by_label("本单位", exact=True).input_value() == "fgw"
    page.get_by_label("品牌口号", exact=True).fill("支部建在项目上")
    edited = download(page, tmp_path / "downloads")
    assert edited.name == original.name

    before = load.parse_file(original, "a", "case", "fgw").data
    after = load.parse_file(edited, "b", "case", "fgw").data
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} == {"slogan"}
    assert after["slogan"] == "支部建在项目上"
    shutil.copy(edited, original)
    done = check(library_copy)
    assert done.returncode == 0, done.stdout + done.stderr


def test_reload_keeps_the_draft(watched: Watched):
    page = watched.page
    page.get_by_label("党员示范岗", exact=True).check()
    choose_unit(page, "财政", "czj")
    page.get_by_label("岗位名称", exact=True).fill("未完成的岗位")
    page.get_by_label("在岗党员 第1项", exact=True).fill("李明")
    page.reload()
    page.locator("#dj-f-title").wait_for()
    assert "已恢复上次未填完的内容" in page.locator(".dj-form__restored").inner_text()
    assert page.get_by_label("党员示范岗", exact=True).is_checked()
    assert page.get_by_label("岗位名称", exact=True).input_value() == "未完成的岗位"
    assert page.get_by_label("在岗党员 第1项", exact=True).input_value() == "李明"
    assert page.get_by_label("本单位", exact=True).input_value() == "czj"


def test_screenshots_empty_and_half_filled(browser, server: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        w = Watched(browser, server, width)
        page = w.page
        page.screenshot(path=str(ARTIFACTS / f"empty-{width}.png"), full_page=True)
        choose_unit(page, "发展和改革", "fgw")
        page.get_by_label("案例编号", exact=True).fill("Hongqi")
        page.get_by_label("品牌名称", exact=True).fill("红旗飘飘" * 9)
        page.get_by_label("品牌内涵", exact=True).fill(
            "红旗指引方向，党员冲在前面。\n\n第二段说明。"
        )
        page.get_by_label("主要做法 第1项 标题", exact=True).fill("党员先锋岗")
        page.get_by_label("输入主题", exact=True).fill("为民服物")
        page.get_by_label("输入主题", exact=True).press("Enter")
        page.get_by_label("创建年份", exact=True).fill("2099")
        assert page.locator("[data-field-error]").count() >= 4
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"half-{width}.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"half-{width}-screen.png"))
        page.locator("#dj-preview").screenshot(path=str(ARTIFACTS / f"preview-{width}.png"))
        w.close()


def test_unit_found_by_alias_and_file_copied(browser, server: str):
    """Aliases (the i11 registry field) reach the unit search; copying puts the file on the clipboard."""
    import json
    import re

    w = Watched(browser, server)
    page, context = w.page, w.context

    def with_alias(route):
        body = route.fetch().text()
        data = json.loads(re.fullmatch(r"window.djFormData = (.*);\n", body, re.S).group(1))
        next(u for u in data["units"] if u["id"] == "fgw")["aliases"] = ["发改局"]
        text = json.dumps(data, ensure_ascii=False)
        route.fulfill(body=f"window.djFormData = {text};\n", content_type="text/javascript")

    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.route("**/form/data.js", with_alias)
    page.reload()
    page.get_by_label("查找单位", exact=True).fill("发改局")
    visible = page.eval_on_selector_all(
        "#dj-unit option", "os => os.filter(o => !o.hidden).map(o => o.value)"
    )
    assert visible == ["fgw"]
    page.get_by_label("本单位", exact=True).select_option("fgw")
    page.get_by_label("查找单位", exact=True).fill("卫生健康")
    assert "wjw" in page.eval_on_selector_all(
        "#dj-unit option", "os => os.filter(o => !o.hidden).map(o => o.value)"
    )
    page.unroute("**/form/data.js")
    fill_brand(page)
    page.get_by_role("button", name="复制内容").click()
    assert page.evaluate("navigator.clipboard.readText()") == page.evaluate("djForm.yaml()")
    assert "已复制" in page.locator(".dj-output__status").inner_text()
    w.close()
