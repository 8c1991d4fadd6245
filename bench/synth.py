"""Deterministic synthetic case libraries for benchmarks: N cases across N/8 units.

Each case carries about 1,000 Chinese characters. `write_plain_site` writes the
same text as a hand-written MkDocs site, so the case layer can be compared with
plain mkdocs-material on equal content.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

# Words of official writing; sentences are drawn from them with a seeded
# generator (4-9 words, commas inside, a full stop at the end), so jieba meets
# text shaped like a real case and the same N always gives the same bytes.
_WORDS = (
    "党建 品牌 示范岗 服务 群众 机关 支部 建设 工作 推进 落实 创新 融合 发展 治理 基层 组织 学习 理论 "
    "作风 清廉 为民 实践 项目 窗口 审批 办事 效率 标准 规范 质量 提升 监督 考核 制度 机制 责任 担当 队伍 "
    "干部 党员 先锋 模范 带头 引领 协同 联动 数据 平台 共享 改革 优化 营商环境 民生 保障 社区 志愿 宣讲 "
    "调研 解决 问题 整改 成效 经验 做法 亮点 特色 内涵 载体 阵地 活动 开展 教育 培训 主题 课堂 实效 "
    "企业 政策 咨询 帮办 代办 上门 走访 回访 台账 清单 分类 梳理 压实 压茬 闭环 督办 反馈 满意度 "
    "一次办 跨部门 全流程 网上 掌上 专班 结对 共建 联学 联创 夜校 微课 书记 领办 攻坚 难题 堵点 "
    "群众 诉求 热线 接诉即办 评议 公开 承诺 践诺 亮牌 亮身份 岗位 业务 骨干 青年 传帮带 年度 季度"
).split()
_POOL = (
    "党建品牌示范岗位服务群众机关支部建设工作推进落实创新融合发展治理基层组织学习理论"
    "作风清廉为民实践项目窗口审批办事效率标准规范质量提升监督考核制度机制责任担当队伍"
    "干部党员先锋模范带头引领协同联动数据平台共享改革优化营商环境民生保障社区志愿宣讲"
    "调研解决问题整改成效经验做法亮点特色品牌内涵载体阵地活动开展教育培训主题课堂实效"
)
THEMES = ["政治建设", "理论武装", "组织建设", "作风建设", "清廉机关", "为民服务", "业务融合", "志愿服务"]
ORG_TYPES = ["机关党委", "党总支", "党支部"]


def _text(rng: random.Random, n: int) -> str:
    """About n characters of sentences made of real words."""
    out, count = [], 0
    while count < n:
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 9))]
        cut = rng.randint(2, len(words) - 1)
        sentence = "".join(words[:cut]) + "，" + "".join(words[cut:]) + "。"
        out.append(sentence)
        count += len(sentence)
    return "".join(out)


def _title(rng: random.Random, i: int) -> str:
    return "".join(rng.choice(_POOL) for _ in range(rng.randint(4, 8))) + f"{i:05d}"


def make_cases(n: int, seed: int = 7) -> tuple[list[dict], list[tuple[str, str, dict]]]:
    """(units, cases): units as in units.yaml, cases as (unit_id, case_id, data)."""
    rng = random.Random(seed)
    n_units = max(1, n // 8)
    units = []
    for u in range(n_units):
        org_type = ORG_TYPES[u % 3]
        unit = {
            "id": f"u{u:04d}",
            "name": f"第{u + 1}局",
            "org": f"中共第{u + 1}局机关委员会",
            "org_type": org_type,
        }
        if org_type != "党支部":
            unit["branches"] = [{"id": f"u{u:04d}-b{b}", "name": f"第{b + 1}党支部"} for b in range(2)]
        units.append(unit)
    cases = []
    for i in range(n):
        unit = units[i % n_units]
        kind = "brand" if i % 2 == 0 else "post"
        data: dict = {
            "kind": kind,
            "title": _title(rng, i),
            "summary": _text(rng, 60)[:100],
            "themes": rng.sample(THEMES, rng.randint(1, 3)),
            "year": rng.randint(2012, 2025),
        }
        if "branches" in unit and rng.random() < 0.5:
            data["branch"] = rng.choice(unit["branches"])["id"]
        if kind == "brand":
            data.update(
                slogan=_text(rng, 20)[:20],
                concept=_text(rng, 200),
                practices=[{"title": _title(rng, i)[:10], "text": _text(rng, 150)} for _ in range(3)],
                results=_text(rng, 200),
                metrics=[{"label": "志愿服务", "value": rng.randint(1, 999), "unit": "次"}],
            )
        else:
            data.update(
                holders=[f"党员{rng.randint(1, 99)}" for _ in range(2)],
                duties=_text(rng, 450),
                commitments=[_text(rng, 20)[:20] for _ in range(4)],
                results=_text(rng, 450),
            )
        cases.append((unit["id"], f"case-{i:05d}", data))
    return units, cases


def write_library(project: Path, n: int, seed: int = 7) -> Path:
    """A project folder with cases/ holding n synthetic cases; returns the project."""
    units, cases = make_cases(n, seed)
    root = project / "cases"
    root.mkdir(parents=True, exist_ok=True)
    dump = dict(allow_unicode=True, sort_keys=False, width=1000)
    (root / "units.yaml").write_text(yaml.safe_dump({"units": units}, **dump), encoding="utf-8")
    for unit in units:
        (root / unit["id"]).mkdir(exist_ok=True)
    for unit_id, case_id, data in cases:
        (root / unit_id / f"{case_id}.yaml").write_text(yaml.safe_dump(data, **dump), encoding="utf-8")
    return project


def case_markdown(data: dict) -> str:
    """The same text as a plain hand-written Markdown page."""
    parts = [f"# {data['title']}", data.get("summary", "")]
    for key in ("slogan", "concept", "duties", "results"):
        if data.get(key):
            parts.append(f"## {key}\n\n{data[key]}")
    for p in data.get("practices", []):
        parts.append(f"### {p['title']}\n\n{p['text']}")
    for c in data.get("commitments", []):
        parts.append(f"- {c}")
    return "\n\n".join(parts) + "\n"
