#!/usr/bin/env python3
"""Command line of the case library: check, build, serve, export-pages, new, casebook, report.

A thin layer: parse arguments, call the library, set the exit code
(exit codes: dangjian/errors.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from dangjian import check_cli
from dangjian.errors import EXIT_CONTENT, EXIT_OK, EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="build_cases.py", description="机关党建品牌与党员示范岗案例库")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="校验案例库，列出全部问题")
    check_cli.add_arguments(c)

    b = sub.add_parser("build", help="校验后生成站点")
    b.add_argument("--site-dir", default="site", help="站点输出目录（默认 site/）")
    b.add_argument(
        "--engine",
        choices=["mkdocs", "zensical"],
        default="mkdocs",
        help="站点引擎（默认 mkdocs；zensical 需另行安装，见 README）",
    )

    s = sub.add_parser("serve", help="本地预览，修改案例文件后页面自动更新")
    s.add_argument("--dev-addr", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）")

    e = sub.add_parser("export-pages", help="把站点页面写入文件夹（供其他站点引擎构建）")
    e.add_argument("folder", help="输出文件夹（须为空，或是上次 export-pages 的结果）")

    n = sub.add_parser("new", help="按模板新建案例文件")
    n.add_argument("kind", choices=["brand", "post"])
    n.add_argument("--unit", required=True, help="单位编号（cases/ 下的文件夹名）")
    n.add_argument("--id", required=True, dest="case_id", help="案例编号（文件名，不含 .yaml）")

    o = sub.add_parser("codeowners", help="按 units.yaml 中各单位的 reviewers 更新 CODEOWNERS")
    o.add_argument("--check", action="store_true", help="只检查是否需要更新，不写文件")

    g = sub.add_parser("guide", help="按 schema 重新生成投稿指南的字段说明和案例模板页")
    g.add_argument("--check", action="store_true", help="只检查已提交的页面是否最新，不写文件")

    k = sub.add_parser("casebook", help="导出案例汇编（PDF 或 Word）")
    k.add_argument("--out", default=None, help="输出文件，扩展名 .pdf 或 .docx（默认 casebook.pdf）")
    k.add_argument("--format", choices=["pdf", "docx"], default=None,
                   help="输出格式；不写则按 --out 的扩展名")
    k.add_argument("--unit", action="append", default=[], help="只收录该单位，写单位 id 或名称（可重复）")
    k.add_argument("--theme", action="append", default=[], help="只收录该主题（可重复）")
    k.add_argument("--year", action="append", default=[], help="只收录该年份，四位数字（可重复）")

    r = sub.add_parser("report", help="导出覆盖率情况通报（Word，或 PDF）")
    r.add_argument("--out", default="coverage-report.docx",
                   help="输出文件（默认 coverage-report.docx；以 .pdf 结尾时导出 PDF，需要 LibreOffice）")
    return p


def _open(project: Path, quiet: bool = False):
    """Check the whole library; print the errors and return None when there are any."""
    from dangjian import diagnostics, pipeline

    result = pipeline.open_library(project)
    if result.diagnostics:
        sys.stderr.write(diagnostics.format_text(result.diagnostics))
        return None
    if not quiet:
        print(diagnostics.summary([]))
    return result.library


def _absolute(project: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else project / path


def _check(project: Path, args: argparse.Namespace) -> int:
    return check_cli.run(project, args, Path.cwd())


def _build(project: Path, args: argparse.Namespace) -> int:
    from dangjian import paths

    site_dir = paths.site_dir(project, _absolute(project, args.site_dir))  # before the long check
    from dangjian import editor_schema, site

    editor_schema.refresh(project)
    library = _open(project)
    if library is None:
        return EXIT_CONTENT
    started = time.perf_counter()
    site.build_site(project, library, site_dir, args.engine)
    print(
        f"站点已生成：{args.site_dir}/（{len(library.published)} 个案例，用时 {time.perf_counter() - started:.1f} 秒）。"
        "可用 serve 命令预览，或把该文件夹发布到内网服务器。"
    )
    return EXIT_OK


def _serve(project: Path, args: argparse.Namespace) -> int:
    from dangjian import site

    if _open(project) is None:
        return EXIT_CONTENT
    print(
        f"正在生成预览……完成后请在浏览器打开 http://{args.dev_addr}/ （修改案例文件后页面会自动更新；按 Ctrl+C 结束）",
        flush=True,
    )
    site.serve_site(project, args.dev_addr)
    return EXIT_OK


def _export_pages(project: Path, args: argparse.Namespace) -> int:
    from dangjian import site

    library = _open(project)
    if library is None:
        return EXIT_CONTENT
    folder = Path(args.folder)
    source = site.export_pages(
        project, library, folder if folder.is_absolute() else project / folder
    )
    print(
        f"已导出 {len(source.pages)} 个页面和数据文件、{len(source.assets)} 个图片文件到 {args.folder}"
        "（检索条目与分词词典在其中的 .dangjian/ 文件夹）。"
    )
    return EXIT_OK


def _new(project: Path, args: argparse.Namespace) -> int:
    from dangjian import scaffold

    path = scaffold.new_case(project, args.kind, args.unit, args.case_id)
    print(f"已创建 {path.relative_to(project).as_posix()}，请打开文件按注释填写。")
    return EXIT_OK


def _codeowners(project: Path, args: argparse.Namespace) -> int:
    from dangjian import scaffold

    if args.check:
        stale = scaffold.stale_codeowners(project)
        for rel in stale:
            print(f"{rel} 与 cases/units.yaml 不一致：请运行 {scaffold.COMMAND}")
        return EXIT_CONTENT if stale else EXIT_OK
    changed = scaffold.write_codeowners(project)
    print("已更新：" + "、".join(changed) if changed else "CODEOWNERS 已是最新。")
    return EXIT_OK


def _guide(project: Path, args: argparse.Namespace) -> int:
    from dangjian import guide

    stale = guide.refresh(project, check=args.check)
    if args.check:
        for rel in stale:
            print(f"{rel} 与 schema 不一致：请运行 {guide.COMMAND}")
        return EXIT_CONTENT if stale else EXIT_OK
    print("已更新：" + "、".join(stale) if stale else "投稿指南的生成页面已是最新。")
    return EXIT_OK


def _casebook(project: Path, args: argparse.Namespace) -> int:
    import gc

    from dangjian import casebook, paths

    # Arguments first: a wrong --year or --out is reported before the library is read.
    years = casebook.parse_years(args.year)
    out = Path(args.out or f"casebook.{args.format or 'pdf'}")
    out = out if out.is_absolute() else project / out
    # where it may write is checked before what it writes: a case file named by
    # mistake is refused as such, not for its suffix
    guess = args.format or ("docx" if out.suffix.lower() == ".docx" else "pdf")
    out = paths.output_file(project, out, "--out", guess)  # never over a file the user wrote
    kind = casebook.output_format(out, args.format)
    library = _open(project, quiet=True)
    if library is None:
        return EXIT_CONTENT
    # Layout allocates millions of short-lived objects; with the default
    # thresholds the cyclic GC rescans them so often that it costs a fifth of
    # a 1,000-case render. Put what exists out of its reach and collect less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    started = time.perf_counter()
    out = casebook.export_casebook(library, out, args.unit, args.theme, years, kind)
    label = "Word 版案例汇编" if kind == "docx" else "案例汇编"
    print(f"已生成{label}：{out}（用时 {time.perf_counter() - started:.1f} 秒）")
    return EXIT_OK


def _report(project: Path, args: argparse.Namespace) -> int:
    from dangjian import coverage, publish, report

    library = _open(project)
    if library is None:
        return EXIT_CONTENT
    out = Path(args.out)
    # dated like the site: the same reproducible build date (SOURCE_DATE_EPOCH or the commit)
    as_of = coverage.as_of_date(publish.source_date_epoch(project))
    out = report.write_report(library, coverage.compute(library, as_of),
                              out if out.is_absolute() else project / out)
    print(f"已生成覆盖率情况通报（截至{as_of.year}年{as_of.month}月{as_of.day}日）：{out}")
    return EXIT_OK


COMMANDS = {
    "check": _check,
    "build": _build,
    "serve": _serve,
    "export-pages": _export_pages,
    "new": _new,
    "casebook": _casebook,
    "codeowners": _codeowners,
    "guide": _guide,
    "report": _report,
}


def _sigterm_unwinds() -> None:
    """SIGTERM (a cancelled CI job, `kill`) unwinds like Ctrl-C: staging folders are removed."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Show MkDocs' warnings and its "Serving on" line.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("mkdocs.commands.serve").setLevel(logging.INFO)
    logging.getLogger("mkdocs.livereload").setLevel(logging.INFO)
    project = Path.cwd()
    from dangjian.errors import UserError

    if not (project / "cases").is_dir():
        print("找不到 cases/ 文件夹：请在项目根目录运行 build_cases.py。", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](project, args)
    except UserError as e:
        print(f"错误：{e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except OSError as e:  # the machine, not the program: disk full, read-only, ulimit -f
        from dangjian.paths import environment_fault

        print(f"错误：{environment_fault(e)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # a bug of ours: say so plainly; DANGJIAN_DEBUG=1 shows the traceback
        if os.environ.get("DANGJIAN_DEBUG"):
            raise
        print(
            f"内部错误（{type(e).__name__}: {e}）：这是程序的问题，不是您的内容的问题。"
            "请把这条信息和出错的文件发给维护人员；设置 DANGJIAN_DEBUG=1 可查看详细信息。",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":
    _sigterm_unwinds()
    sys.exit(main())
