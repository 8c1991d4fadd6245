"""The intranet site: write the generated pages into docs/, run the MkDocs build, serve.

`build_site` gathers every page first, refuses to overwrite hand-written files,
builds into a fresh directory next to the target and swaps it in only when the
build succeeded, so a failed or interrupted build leaves the old site as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import markupsafe
import yaml

from . import coverage as coverage_mod
from . import form, search
from .errors import UserError
from .model import Brand, Library
from .pages import Rendered, WebImage, render_pages

MANIFEST = ".generated.json"
# Where generated files may go under docs/ (see .gitignore); anything else is a bug.
GENERATED_ROOTS = (
    "index.md", "units/", "brands/", "posts/", "coverage/", "themes/", "years/", "data/",
    "assets/cases/", "form/", search.USER_DICT,
)
TEMPLATE_OVERRIDES = "templates"  # <project>/templates/<name>.md.j2 replaces a page template
IMAGE_CACHE = ".cache/images"
GUIDE = "guide/index.md"

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Gathering


def web_images(project: Path, library: Library) -> dict[str, WebImage]:
    """Web renditions of every image of a published case, keyed by Image.rel."""
    wanted = []
    for case in library.published:
        if isinstance(case, Brand) and case.logo is not None:
            wanted.append((case.logo, "logo"))
        wanted += [(p, "photo") for p in case.photos]
    if not wanted:
        return {}
    from .images import ImagePipeline, prepare_many  # Pillow work only when there are images

    # Cache misses are encoded on all cores; every broken image is reported at once.
    prepared = prepare_many(ImagePipeline(project / IMAGE_CACHE),
                            [(image.path, role) for image, role in wanted], with_print=False)
    return {image.rel: p.web for (image, _), p in zip(wanted, prepared, strict=True)}


def generate(project: Path, library: Library) -> Rendered:
    """Every generated file of the docs/ folder, in memory."""
    cov = coverage_mod.compute(library)
    rendered = render_pages(
        library, cov, web_images(project, library), project / TEMPLATE_OVERRIDES
    )
    rendered.files[search.USER_DICT] = search.user_dictionary(library)
    rendered.files.update(form.form_files(library))
    return rendered


# ---------------------------------------------------------------------------
# Writing


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_generated(docs: Path, rendered: Rendered) -> list[str]:
    """Write the generated files into docs/; return the paths that changed.

    A target that exists but was not written by us last time (not in the
    manifest) is someone's hand-written file: refuse and write nothing.
    Unchanged files are left alone so a live preview rebuilds only what changed.
    """
    content: dict[str, bytes | Path] = {k: v.encode("utf-8") for k, v in rendered.files.items()}
    content.update(rendered.assets)
    for rel in content:
        if not rel.startswith(GENERATED_ROOTS) or ".." in rel.split("/"):
            raise ValueError(f"generated path outside the generated folders: {rel}")

    manifest_path = docs / MANIFEST
    previous: set[str] = set()
    if manifest_path.is_file():
        previous = set(json.loads(manifest_path.read_text(encoding="utf-8")))
    clashes = sorted(
        rel for rel in content if rel not in previous and (docs / rel).exists()
    )
    if clashes:
        listed = "\n".join(f"  docs/{rel}" for rel in clashes[:20])
        more = f"\n  ……共 {len(clashes)} 个" if len(clashes) > 20 else ""
        raise UserError(
            "以下文件是手工编写的，但与自动生成的页面同名，为避免覆盖已停止生成：\n"
            f"{listed}{more}\n请改名或移出 docs/ 后重试（自动生成的页面不要手工修改）。"
        )

    # Claim the new paths before writing them: a run stopped half-way (Ctrl-C,
    # SIGTERM, a full disk) must not leave pages the next run takes for hand-written ones.
    _write_manifest(manifest_path, previous | set(content))
    changed = []
    for rel, data in sorted(content.items(), key=lambda kv: kv[0]):
        target = docs / rel
        if isinstance(data, Path):
            data = data.read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        changed.append(rel)

    for rel in sorted(previous - set(content)):
        stale = docs / rel
        if stale.is_file():
            stale.unlink()
            changed.append(rel)
        _prune_empty(stale.parent, docs)

    _write_manifest(manifest_path, set(content))
    return changed


def _write_manifest(path: Path, paths: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp")
    tmp.write_text(json.dumps(sorted(paths), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _prune_empty(folder: Path, docs: Path) -> None:
    while folder != docs and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


# ---------------------------------------------------------------------------
# Building


def source_date_epoch(project: Path) -> str:
    """SOURCE_DATE_EPOCH if set; else the last commit's time when the inputs are
    committed as they are; else the newest modification time of the inputs.

    MkDocs dates the sitemap and its gzip header with it. Two clones of one
    commit have different file times but the same commit time, so they build
    the same bytes.
    """
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    committed = _commit_time(project)
    if committed:
        return committed
    newest = 0.0
    for root in (project / "cases", project / "mkdocs.yml"):
        paths = root.rglob("*") if root.is_dir() else [root]
        for p in paths:
            with contextlib.suppress(OSError):
                newest = max(newest, p.stat().st_mtime)
    return str(int(newest))


def _commit_time(project: Path) -> str | None:
    """The time of HEAD if cases/ and mkdocs.yml have no uncommitted change, else None."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(project), *args], capture_output=True,
                                  text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != project.resolve():
        return None  # not a checkout of its own (or no git): file times tell more
    if git("status", "--porcelain", "--", "cases", "mkdocs.yml") != "":
        return None  # edited inputs: file times tell more
    stamp = git("log", "-1", "--format=%ct")
    return stamp if stamp and stamp.isdigit() else None


@contextlib.contextmanager
def _environment(project: Path, epoch: str) -> Iterator[None]:
    # The search plugin reads jieba_dict_user relative to the working directory,
    # and MkDocs reads SOURCE_DATE_EPOCH from the environment.
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        with contextlib.chdir(project):
            yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def _config_overrides(project: Path, library: Library | None) -> dict:
    """The site name of cases/settings.yaml; no 投稿指南 tab while docs/guide/ is unwritten."""
    overrides: dict = {}
    if library is not None:
        # Material prints config.site_name unescaped (<title>, header); Markup is
        # escaped text that its few `| e` filters leave alone.
        overrides["site_name"] = markupsafe.escape(library.settings.site_name)
    if not (project / "docs" / GUIDE).is_file():
        raw = yaml.load((project / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_YamlLoader)
        nav = raw.get("nav") or []
        overrides["nav"] = [i for i in nav if not _mentions(i, GUIDE)]
    return overrides


def _mentions(item: object, page: str) -> bool:
    """Whether a nav entry is, or holds, `page`."""
    if isinstance(item, str):
        return item == page
    if isinstance(item, dict):
        return any(_mentions(v, page) for v in item.values())
    if isinstance(item, list):
        return any(_mentions(v, page) for v in item)
    return False


class _YamlLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's nav only; tolerates the !!python and !ENV tags it may hold."""


_YamlLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_build(project: Path, site_dir: Path, library: Library | None = None) -> None:
    """Run the MkDocs build of `project/mkdocs.yml` into `site_dir`."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    search.quiet_jieba()
    try:
        config = load_config(
            str(project / "mkdocs.yml"),
            site_dir=str(site_dir),
            **_config_overrides(project, library),
        )
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.MkDocsException as e:  # Abort, ConfigurationError, PluginError
        raise UserError(f"站点构建失败：{e}") from e


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, `kill`) unwinds like Ctrl-C, so the staging folder goes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def build_site(project: Path, library: Library, site_dir: Path) -> None:
    """Generate the pages and build the static site into `site_dir`.

    The build goes to a new directory beside `site_dir` and replaces it only
    when everything succeeded; an interrupted build (Ctrl-C, SIGTERM) leaves
    the previous site as it was.
    """
    with _sigterm_unwinds():
        _build_site(project, library, site_dir)


def _build_site(project: Path, library: Library, site_dir: Path) -> None:
    project = project.resolve()
    site_dir = site_dir.resolve()
    docs = project / "docs"
    if site_dir == project or docs == site_dir or docs in site_dir.parents:
        raise UserError(f"站点目录不能是项目根目录或位于 docs/ 之内：{site_dir}", 2)
    started = time.perf_counter()
    write_generated(docs, generate(project, library))

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    segment = search.Segmenter(project / search.SEGMENT_CACHE, docs / search.USER_DICT)
    pending = segment.start(search.index_texts(library))  # on the other core, meanwhile
    try:
        with _environment(project, source_date_epoch(project)):
            mkdocs_build(project, staging, library)
        segment.finish(pending)
        pending = None
        index = staging / "search" / "search_index.json"
        if index.is_file():
            search.complete_index(index, library, segment)
        os.chmod(staging, 0o755)  # mkdtemp makes it 0700; a web server must read it
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        segment.cancel(pending)  # None once finished
    log.info("站点已生成：%s（%.1f 秒）", site_dir, time.perf_counter() - started)


def _swap(new: Path, target: Path) -> None:
    """Put `new` in place of `target`; the old site is removed only after the rename."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    # no signal between the two renames: the site is never missing or half-swapped
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        os.replace(target, old)
        try:
            os.replace(new, target)
        except BaseException:
            os.replace(old, target)
            raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------
# Live preview


def _snapshot(cases: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for p in cases.rglob("*"):
        with contextlib.suppress(OSError):
            st = p.stat()
            out[str(p)] = (st.st_mtime_ns, st.st_size)
    return out


def regenerate(project: Path) -> Library | None:
    """Re-read the library and rewrite what changed in docs/; None when it has errors."""
    from . import diagnostics, pipeline

    result = pipeline.open_library(project)
    if result.library is None:
        sys.stderr.write(diagnostics.format_text(result.diagnostics))
        sys.stderr.write("页面未更新：请先修正上面的问题。\n")
        return None
    changed = write_generated(project / "docs", generate(project, result.library))
    if changed:
        print(f"已更新 {len(changed)} 个文件。", file=sys.stderr)
    return result.library


def _watch(project: Path, stop: threading.Event, interval: float = 0.5) -> None:
    """Regenerate pages when a file under cases/ changes; MkDocs then rebuilds docs/."""
    cases = project / "cases"
    seen = _snapshot(cases)
    while not stop.wait(interval):
        now = _snapshot(cases)
        if now != seen:
            seen = now
            try:
                regenerate(project)
            except UserError as e:
                print(f"错误：{e.message}", file=sys.stderr)


def serve_site(project: Path, dev_addr: str) -> None:
    """Live preview: MkDocs serves docs/, a watcher keeps the generated pages current."""
    from mkdocs.commands.serve import serve

    project = project.resolve()
    search.quiet_jieba()
    library = regenerate(project)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, stop), daemon=True)
    watcher.start()
    try:
        with _environment(project, source_date_epoch(project)):
            serve(
                str(project / "mkdocs.yml"),
                dev_addr=dev_addr,
                hooks=[str(Path(__file__).with_name("serve_hooks.py"))],
                **_config_overrides(project, library),
            )
    finally:
        stop.set()


def site_files(site_dir: Path) -> Mapping[str, bytes]:
    """Every file of a built site by relative path (for comparing two builds)."""
    return {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in sorted(site_dir.rglob("*"))
        if p.is_file()
    }
