"""YAML text -> PyYAML nodes, depth-checked, anchors refused, without deep recursion.

libyaml's own composer recurses once per nesting level and dies with a
segmentation fault on a few kilobytes of "[" or "{a: " (well below the file
size cap), before any depth check could run. Files that cannot nest deeply
(few flow brackets, shallow indentation) and hold no anchor sign are
composed by libyaml itself, then depth-checked; every other file by the
event composer here, which keeps its own stack. Both give the same nodes
and the same refusals (tests/test_hardening.py compares them).
"""

from __future__ import annotations

import re

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


# A node's nesting depth is at most twice the column it starts at, plus one per
# flow bracket: with these bounds libyaml recurses a few hundred levels at most.
_FEW_BRACKETS = 48
_DEEP_INDENT = re.compile(r"^[ \t?:-]{48,}", re.M)


def compose(text: str, case: bool = True) -> yaml.Node | None:
    """The YAML node tree of `text`; see the module docstring.

    Raises yaml.YAMLError for malformed YAML, Refused for too deep a structure
    or an anchor or alias.
    """
    if _shallow(text):
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        except yaml.YAMLError:
            root = None  # the event composer says where, after any refusal that comes first
        else:
            if not _cannot_be_deep(text):
                _check_depth(root, case)
            return root
        finally:
            loader.dispose()
    return compose_events(text, case)


def _shallow(text: str) -> bool:
    """Whether libyaml's recursive composer is safe on `text` and no anchor can be there."""
    return (
        "&" not in text
        and "*" not in text
        and text.count("[") + text.count("{") <= _FEW_BRACKETS
        and _DEEP_INDENT.search(text) is None
    )


# _RUNS[r]: a line that begins with more than r characters of indentation and
# block indicators ("  - ? :"), where block collections may start
_RUNS = tuple(re.compile(f"^[ \\t?:-]{{{r + 1},}}", re.M) for r in range(MAX_DEPTH // 2))


def _cannot_be_deep(text: str) -> bool:
    """Whether no node of `text` can be nested deeper than MAX_DEPTH, from the text alone.

    Block collections start at most at the column R where a line's run of
    indentation and indicators ends, two at most per column (a sequence as
    the value of a mapping shares its column), so a node's depth is at most
    2 * (R + 1) plus one for each flow bracket.
    """
    budget = MAX_DEPTH - text.count("[") - text.count("{")
    longest_allowed = budget // 2 - 1  # the largest R with 2 * (R + 1) <= budget
    return longest_allowed >= 0 and _RUNS[longest_allowed].search(text) is None


def _too_deep(mark: yaml.Mark, case: bool) -> Refused:
    limit = "案例文件最多只有三层结构" if case else "这个文件用不到这么多层结构"
    return Refused("too-deep", f"嵌套层级太深：{limit}。", mark)


def _check_depth(root: yaml.Node | None, case: bool) -> None:
    """Refuse the first node, in document order, nested deeper than MAX_DEPTH (keys exempt).

    Only collections are walked: the first refused node lies in the first
    collection, in document order, at depth MAX_DEPTH that has children.
    """
    stack: list[tuple[yaml.Node, int]] = [] if root is None else [(root, 0)]
    while stack:
        node, depth = stack.pop()
        children = _children(node)
        if not children:
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep(_first_value(children).start_mark, case)
        stack.extend(
            (child, depth + 1)
            for child, _ in reversed(children)
            if not isinstance(child, yaml.ScalarNode)
        )


def _children(node: yaml.Node) -> list[tuple[yaml.Node, bool]]:
    """A collection's nodes in document order, each with whether it is a mapping key."""
    if isinstance(node, yaml.SequenceNode):
        return [(item, False) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return [pair for key, value in node.value for pair in ((key, True), (value, False))]
    return []


def _first_value(children: list[tuple[yaml.Node, bool]]) -> yaml.Node:
    """The first node that is no mapping key, in document order, among and below `children`."""
    stack = list(reversed(children))
    while stack:
        node, is_key = stack.pop()
        if not is_key:
            return node
        stack.extend(reversed(_children(node)))
    raise AssertionError("a mapping always holds a value node")  # pragma: no cover


def compose_events(text: str, case: bool = True) -> yaml.Node | None:
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
                raise _too_deep(m, case)
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
