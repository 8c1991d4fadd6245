"""A YAML composer that does not recurse: libyaml's events -> PyYAML nodes, depth-checked.

libyaml's own composer recurses once per nesting level and dies with a
segmentation fault on a few kilobytes of "[" or "{a: " (well below the file
size cap), before any depth check could run. This one keeps its own stack.
"""

from __future__ import annotations

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
    get, resolve = loader.get_event, loader.resolve
    try:
        get()  # StreamStart
        if loader.check_event(yaml.StreamEndEvent):
            return None
        document = get()
        root: yaml.Node | None = None
        # Open collections: [node, is a mapping, the key waiting for its value].
        stack: list[list] = []
        while True:
            event = get()
            cls = type(event)
            if cls is yaml.DocumentEndEvent:
                break
            if cls is yaml.SequenceEndEvent or cls is yaml.MappingEndEvent:
                stack.pop()[0].end_mark = event.end_mark
                continue
            m = event.start_mark
            if cls is yaml.AliasEvent or event.anchor:
                sign = "*" if cls is yaml.AliasEvent else "&"
                raise Refused(
                    "yaml-anchor",
                    f"不支持 YAML 锚点和别名（{sign}{event.anchor}）：请把内容直接写出来，不要引用其他位置。",
                    m,
                )
            frame = stack[-1] if stack else None
            is_key = frame is not None and frame[1] and frame[2] is None
            if len(stack) > MAX_DEPTH and not is_key:  # a value's depth, as _convert counts it
                limit = "案例文件最多只有三层结构" if case else "这个文件用不到这么多层结构"
                raise Refused("too-deep", f"嵌套层级太深：{limit}。", m)
            tag = event.tag
            if cls is yaml.ScalarEvent:
                if tag is None or tag == "!":
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(tag, event.value, m, event.end_mark, style=event.style)
            else:
                kind = yaml.SequenceNode if cls is yaml.SequenceStartEvent else yaml.MappingNode
                if tag is None or tag == "!":
                    tag = resolve(kind, None, event.implicit)
                node = kind(tag, [], m, None, flow_style=event.flow_style)
            if frame is None:
                root = node
            elif not frame[1]:
                frame[0].value.append(node)
            elif is_key:
                frame[2] = node
            else:
                frame[0].value.append((frame[2], node))
                frame[2] = None
            if cls is not yaml.ScalarEvent:
                stack.append([node, cls is yaml.MappingStartEvent, None])
        event = get()
        if type(event) is not yaml.StreamEndEvent:
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                document.start_mark,
                "but found another document",
                event.start_mark,
            )
        return root
    finally:
        loader.dispose()
