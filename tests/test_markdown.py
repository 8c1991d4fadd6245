"""The (md) fields of a case render to safe HTML: no script, no foreign request, no template."""

from __future__ import annotations

from dangjian.markdown import render_markdown


def test_markdown_renders_paragraphs_lists_and_emphasis():
    html = render_markdown("第一段**重点**。\n\n- 一\n- 二\n")
    assert html == "<p>第一段<strong>重点</strong>。</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"


def test_raw_html_is_sanitized():
    html = render_markdown(
        '正文<script>alert(1)</script><style>p{}</style><iframe src="http://x.example/"></iframe>'
        '<b onclick="steal()">粗</b>'
    )
    assert "<script" not in html and "alert" not in html
    assert "<style" not in html and "<iframe" not in html
    assert "onclick" not in html
    assert "<b>粗</b>" in html


def test_no_image_or_foreign_request_from_text():
    html = render_markdown('![图](http://evil.example/a.png) <img src="http://evil.example/b.png">')
    assert "<img" not in html
    assert "evil.example" not in html


def test_links_keep_safe_schemes_only():
    html = render_markdown(
        "[坏](javascript:alert(1)) [好](https://www.gov.cn/) [信](mailto:a@b.cn)"
    )
    assert "javascript" not in html
    assert 'href="https://www.gov.cn/"' in html
    assert 'href="mailto:a@b.cn"' in html
    assert 'rel="noopener noreferrer"' in html


def test_template_and_snippet_syntax_stay_literal():
    html = render_markdown('{{ 7*7 }} {% if x %}y{% endif %}\n\n--8<-- "mkdocs.yml"')
    assert "{{ 7*7 }}" in html
    assert "{% if x %}" in html
    assert "--8&lt;--" in html
    assert "site_name" not in html


def test_headings_are_demoted_below_the_page_sections():
    assert render_markdown("# 大标题\n\n## 小标题") == "<h4>大标题</h4>\n<h5>小标题</h5>"


def test_empty_text_gives_empty_html():
    assert render_markdown("") == ""
    assert render_markdown("  \n") == ""


def test_a_line_break_inside_a_chinese_sentence_leaves_no_gap():
    from dangjian.markdown import join_cjk_lines, render_markdown

    assert render_markdown("党员先锋岗每周\n开展一次服务。") == "<p>党员先锋岗每周开展一次服务。</p>"
    # block structure is kept: headings, list items, English text, code fences
    assert join_cjk_lines("## 做法\n每周调度") == "## 做法\n每周调度"
    assert join_cjk_lines("第一项：\n- 调度\n- 督办") == "第一项：\n- 调度\n- 督办"
    assert join_cjk_lines("line one\nline two") == "line one\nline two"
    assert join_cjk_lines("```\n代码\n行\n```") == "```\n代码\n行\n```"
    assert "<li>调度会每周召开</li>" in render_markdown("- 调度会每周\n  召开\n- 督办")
