"""The one Jinja environment factory, for the site's page templates and the casebook's.

A project may replace any template of a set with a file of the same name under
`theme_overrides/<set>/` (`theme_overrides/pages/brand.md.j2`,
`theme_overrides/casebook/book.html`): one root for every override, beside
Material's own (`theme_overrides/main.html`). The MkDocs adapter keeps these
folders out of the published site.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2

OVERRIDES = "theme_overrides"
TEMPLATE_SETS = ("pages", "casebook")  # the folders of OVERRIDES that hold our templates


def override_folder(project: Path, template_set: str) -> Path:
    """Where a project's overrides of `template_set` live (the folder may not exist)."""
    assert template_set in TEMPLATE_SETS, template_set
    return project / OVERRIDES / template_set


def environment(
    templates: Path,
    overrides: Path | None,
    filters: dict[str, Callable],
    *,
    autoescape: bool | Callable[[str | None], bool] = True,
    keep_trailing_newline: bool = False,
) -> jinja2.Environment:
    """Templates from `templates`, each replaceable from `overrides`; undefined names fail."""
    loaders: list[jinja2.BaseLoader] = []
    if overrides is not None and overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(overrides)))
    loaders.append(jinja2.FileSystemLoader(str(templates)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters)
    return env
