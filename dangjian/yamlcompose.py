"""A YAML composer that does not recurse: libyaml's events -> PyYAML nodes, depth-checked.

libyaml's own composer recurses once per nesting level and dies with a
segmentation fault on a few kilobytes of "[" or "{a: " (well below the file
size cap), before any depth check could run. This one keeps its own stack.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml is ~10x faster; PyYAML wheels ship it, but never depend on it
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

MAX_DEPTH = 12  # the deepest valid structure is 3 levels; anything far beyond is an attack


class Refused(Exception):
    """Composing stopped at a construct no input file may use."""

    def __init__(self, code: str, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.line, self.column = mark.line + 1, mark.column + 1


def compose(text: str, case: bool = True) -> yaml.Node | None:
    """The YAML node tree of `text`, built from libyaml's events without recursion.

    libyaml's own composer recurses once per nesting level and dies with a
    segmentation fault on a few kilobytes of "[" or "{a: ", below the size cap;
    here depth is counted while the events arrive and the file is refused at
    MAX_DEPTH + 1, as are anchors and aliases (they hide content and enable
    alias bombs). Raises yaml.YAMLError for malformed YAML, Refused for those.
    """
    loader = _Loader(text)
    try:
        loader.get_event()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        document = loader.get_event()
        root: yaml.Node | None = None
        stack: list[yaml.Node] = []
        keys: list[list] = []  # per open mapping: the pending key, if any
        while not loader.check_event(yaml.DocumentEndEvent):
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node = stack.pop()
                node.end_mark = event.end_mark
                if isinstance(node, yaml.MappingNode):
                    keys.pop()
                continue
            m = event.start_mark
            if isinstance(event, yaml.AliasEvent) or event.anchor:
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                raise Refused(
                    "yaml-anchor",
                    f"不支持 YAML 锚点和别名（{sign}{event.anchor}）：请把内容直接写出来，不要引用其他位置。",
                    m,
                )
            is_key = bool(stack) and isinstance(stack[-1], yaml.MappingNode) and not keys[-1]
            if len(stack) > MAX_DEPTH and not is_key:  # a value's depth, as _convert counts it
                limit = "案例文件最多只有三层结构" if case else "这个文件用不到这么多层结构"
                raise Refused("too-deep", f"嵌套层级太深：{limit}。", m)
            node = _node(loader, event)
            if stack:
                parent = stack[-1]
                if isinstance(parent, yaml.SequenceNode):
                    parent.value.append(node)
                elif is_key:
                    keys[-1].append(node)
                else:
                    parent.value.append((keys[-1].pop(), node))
            else:
                root = node
            if not isinstance(node, yaml.ScalarNode):
                stack.append(node)
                if isinstance(node, yaml.MappingNode):
                    keys.append([])
        loader.get_event()  # DocumentEnd
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                document.start_mark,
                "but found another document",
                event.start_mark,
            )
        return root
    finally:
        loader.dispose()


def _node(loader: Any, event: yaml.Event) -> yaml.Node:
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return yaml.ScalarNode(
            tag, event.value, event.start_mark, event.end_mark, style=event.style
        )
    kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
