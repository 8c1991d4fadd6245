"""The search index's segmentation: the same words whether done inline, in the worker or from the memo."""

from __future__ import annotations

import random
from pathlib import Path

from dangjian.search import INDEX_MARK, SEGMENT_MARK, Segmenter, thin_marks

WORDS = "党建 品牌 示范岗 服务 群众 红色引擎 项目 窗口 审批 先锋 清廉 机关".split()


def _texts(n: int) -> list[str]:
    rng = random.Random(3)
    return ["".join(rng.choice(WORDS) for _ in range(12)) + "。" for _ in range(n)]


def test_worker_memo_and_inline_segment_alike(tmp_path: Path):
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("红色引擎\n", encoding="utf-8")
    texts = _texts(80)

    ahead = Segmenter(tmp_path / "a", user_dict)
    pending = ahead.start(texts)
    assert pending is not None  # enough misses to be worth a worker
    ahead.finish(pending)
    from_worker = [ahead(t) for t in texts]
    assert ahead.misses == len(set(texts))

    inline = Segmenter(tmp_path / "b", user_dict)
    assert [inline(t) for t in texts] == from_worker
    inline.save()

    again = Segmenter(tmp_path / "b", user_dict)
    assert [again(t) for t in texts] == from_worker and again.misses == 0
    assert all(SEGMENT_MARK in w for w in from_worker)
    assert any("红色引擎" in w.split(SEGMENT_MARK) for w in from_worker)  # the user word stays whole


def test_a_changed_dictionary_does_not_reuse_old_words(tmp_path: Path):
    user_dict = tmp_path / "userdict.txt"
    user_dict.write_text("", encoding="utf-8")
    first = Segmenter(tmp_path / "m", user_dict)
    first("红色引擎项目")
    first.save()
    user_dict.write_text("红色引擎\n", encoding="utf-8")
    second = Segmenter(tmp_path / "m", user_dict)
    assert "红色引擎" in second("红色引擎项目").split(SEGMENT_MARK)
    assert second.misses == 1


def test_marks_next_to_separators_are_dropped():
    assert thin_marks("\u200b法治\u200b，\u200b服务\u200b 为民\u200b") == "法治，服务 为民"
    assert INDEX_MARK != SEGMENT_MARK and len(INDEX_MARK.encode()) == 2
