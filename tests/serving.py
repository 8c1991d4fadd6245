"""MkDocs' serve() without its HTTP server, for the tests and the benchmark of serve's rebuilds.

The same calls as mkdocs.commands.serve.serve(build_type="dirty"), which
`build_cases.py serve` runs: one config loaded and started, the first build
with it, every rebuild with a freshly loaded config into the same folder, the
serve URL as site_url. The build date is the caller's SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


class Serve:
    def __init__(self, project: Path, site_dir: Path, *, dirty: bool = True) -> None:
        from mkdocs.livereload import _serve_url

        self.config_file = str(project / "mkdocs.yml")
        self.site_dir = site_dir
        self.dirty = dirty
        self.config = self._get_config()
        self.config.plugins.on_startup(command="serve", dirty=dirty)
        host, port = self.config.dev_addr
        self.url = _serve_url(host, port, urlsplit(self.config.site_url or "/").path)
        self._first = True

    def _get_config(self):
        from mkdocs.config import load_config

        return load_config(config_file=self.config_file, site_dir=str(self.site_dir))

    def build(self, *, dirty: bool | None = None):
        """One (re)build as serve's builder(); `dirty=False`: the full rebuild plain serve does.

        Returns what the dangjian plugin reports it rendered (None unless serving dirty).
        """
        from mkdocs.commands.build import build

        config = self.config if self._first else self._get_config()
        self._first = False
        config.site_url = self.url
        build(config, serve_url=self.url, dirty=self.dirty if dirty is None else dirty)
        return config.plugins["dangjian"].incremental.report

    def close(self) -> None:
        self.config.plugins.on_shutdown()
