"""MkDocs hooks that `build_cases.py serve` adds (never mkdocs.yml): after each rebuild of the
live preview, add the case entries to the search index, as `build` does."""

from __future__ import annotations

from pathlib import Path


def on_post_build(config, **kwargs) -> None:
    from dangjian import (  # loaded by path, not as part of the package
        pipeline,
        search,
        search_index,
    )

    project = Path(config.config_file_path).parent
    index = Path(config.site_dir) / "search" / "search_index.json"
    result = pipeline.open_library(project)
    if result.library is not None and index.is_file():
        segment = search.Segmenter(project / search.SEGMENT_CACHE, project / "docs" / search.USER_DICT)
        search_index.complete_index(index, result.library, segment)
