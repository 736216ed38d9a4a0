"""Safe YAML loading that remembers where every key and value came from.

Scenario files are untrusted: they are read with PyYAML's ``SafeLoader`` (no Python object
tags), with a size cap, a cap on alias expansion and node count, and duplicate keys rejected.
Mappings become :class:`LocDict` and sequences :class:`LocList`; both carry the source path
and the 1-based (line, col) of each key and each value, so later validation can point at the
exact place of a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from sim.errors import Problem, ScenarioError

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 40

Mark = tuple[str, int, int]


class LocDict(dict):
    """A dict that also knows the position of each key (``key_marks``) and value (``value_marks``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark: Mark | None = None
        self.key_marks: dict[Any, Mark] = {}
        self.value_marks: dict[Any, Mark] = {}
        self.quoted: dict[Any, bool] = {}

    @classmethod
    def marked_like(cls, items: dict[Any, Any], like: LocDict) -> LocDict:
        """A LocDict of ``items`` with copies of ``like``'s marks (quicker than building empty ones first)."""
        out = cls.__new__(cls)
        dict.update(out, items)
        out.mark, out.key_marks = like.mark, like.key_marks.copy()
        out.value_marks, out.quoted = like.value_marks.copy(), like.quoted.copy()
        return out


class LocList(list):
    """A list that also knows the position of each item (``item_marks``)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.mark: Mark | None = None
        self.item_marks: list[Mark] = []

    @classmethod
    def marked_like(cls, items: list[Any], like: LocList) -> LocList:
        """A LocList of ``items`` with a copy of ``like``'s marks."""
        out = cls.__new__(cls)
        list.extend(out, items)
        out.mark, out.item_marks = like.mark, like.item_marks.copy()
        return out


def _mark_of(path: str, node: yaml.Node) -> Mark:
    return (path, node.start_mark.line + 1, node.start_mark.column + 1)


# libyaml's parser (PyYAML's C extension) is about ten times faster than the pure-Python one;
# both feed the same safe constructor below. Alias bombs and node counts are checked on the
# composed node graph in parse_yaml, whichever parser built it.
try:
    from yaml._yaml import CParser

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    HAVE_LIBYAML = False


_STR_TAG = "tag:yaml.org,2002:str"


class _LocatingConstructor(yaml.constructor.SafeConstructor):
    """Safe construction into LocDict/LocList; duplicate keys are errors."""

    path: str = "<yaml>"

    def _construct(self, node: yaml.Node) -> Any:
        """A node's value; text directly (what PyYAML's constructor returns for it), anything else through PyYAML."""
        if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
            return node.value  # most keys and values: a constructor call each was a third of the parse time
        return self.construct_object(node, deep=True)

    def construct_located_mapping(self, node: yaml.MappingNode) -> LocDict:
        result = LocDict()
        result.mark = _mark_of(self.path, node)
        explicit = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        self.flatten_mapping(node)
        merged = len(node.value) - explicit  # pairs brought in by '<<:' come first
        from_merge: set[Any] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = self._construct(key_node)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise ScenarioError.single(*_mark_of(self.path, key_node), "mapping keys must be plain scalars")
            if key in result and index >= merged and key in from_merge:
                from_merge.discard(key)  # an explicit key overrides one merged in with '<<:'
            elif key in result:
                first = result.key_marks[key]
                raise ScenarioError.single(
                    *_mark_of(self.path, key_node),
                    f"duplicate key '{key}' (first defined at line {first[1]})",
                    "duplicate-key",
                )
            if index < merged:
                from_merge.add(key)
            result[key] = self._construct(value_node)
            result.key_marks[key] = _mark_of(self.path, key_node)
            result.value_marks[key] = _mark_of(self.path, value_node)
            result.quoted[key] = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("'", '"')
        return result

    def construct_located_sequence(self, node: yaml.SequenceNode) -> LocList:
        result = LocList([self._construct(child) for child in node.value])
        result.mark = _mark_of(self.path, node)
        result.item_marks = [_mark_of(self.path, child) for child in node.value]
        return result


# YAML 1.2 booleans: only true/false. PyYAML's YAML 1.1 default also turns yes/no/on/off into
# booleans, so `id: off` or a country code `NO` would silently become False.
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2 booleans (see below)."""


# YAML 1.2 core schema for plain scalars: only these become numbers, booleans or null; anything
# else (10:30, 2025-01-01, yes, 0b101 ...) stays text, as a scenario author would expect.
_CORE = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:int": (r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
}
_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _CORE and tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _CORE.items():
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_core_int(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> int:
    text = str(constructor.construct_scalar(node)).replace("_", "")
    if len(text.lstrip("+-")) > MAX_INT_DIGITS:
        raise ScenarioError.single(
            *_mark_of(getattr(constructor, "path", "<yaml>"), node),
            f"integer literal is too long ({len(text)} characters; limit {MAX_INT_DIGITS})",
            "yaml-limits",
        )
    if text.startswith(("0o", "0x")):
        return int(text, 0)
    return int(text)  # decimal, even with leading zeros (YAML 1.2: 012 is twelve)


# types-PyYAML binds add_constructor's first argument to its Loader classes only, although PyYAML
# accepts any constructor class (the stub is too narrow): hence the ignores below.
_LocatingConstructor.add_constructor("tag:yaml.org,2002:int", _construct_core_int)  # type: ignore[type-var]
_LocatingConstructor.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _LocatingConstructor.construct_located_mapping,  # type: ignore[type-var]
)
_LocatingConstructor.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    _LocatingConstructor.construct_located_sequence,  # type: ignore[type-var]
)


class PythonLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _LocatingConstructor,
    _Resolver,
):
    """Pure-Python parser + located safe constructor + YAML 1.2 booleans (fallback)."""

    def __init__(self, stream: str, path: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LocatingConstructor.__init__(self)
        _Resolver.__init__(self)
        self.path = path


if HAVE_LIBYAML:

    class LibyamlLoader(CParser, _LocatingConstructor, _Resolver):
        """libyaml parser + located safe constructor + YAML 1.2 booleans."""

        def __init__(self, stream: str, path: str) -> None:
            CParser.__init__(self, stream)
            _LocatingConstructor.__init__(self)
            _Resolver.__init__(self)
            self.path = path

    DEFAULT_LOADER: type = LibyamlLoader
else:  # pragma: no cover - PyYAML built without libyaml
    DEFAULT_LOADER = PythonLoader


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Number of nodes the document would have with every alias expanded (memoized, capped)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = MAX_NODES + 1  # a cycle counts as too large
    if isinstance(node, yaml.MappingNode):
        total = 1
        for key_node, value_node in node.value:
            total += _expanded_size(key_node, memo) + _expanded_size(value_node, memo)
            if total > MAX_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        total = 1
        for child in node.value:
            total += _expanded_size(child, memo)
            if total > MAX_NODES:
                break
    else:
        total = 1
    memo[id(node)] = total
    return total


def _too_deep(root: yaml.Node) -> yaml.Node | None:
    """The first node nested deeper than MAX_DEPTH (iterative: deep input must not exhaust the stack)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None


def _hint(text: str, mark: Any, reason: str) -> str:
    """A plain-language hint for the commonest YAML mistakes at ``mark``."""
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1]:
        return " (a tab character: YAML must be indented with spaces)"
    if "mapping values" in reason:
        return " (check this line's indentation, or put quotes around a value that contains ': ')"
    return ""


def parse_yaml(text: str, path: str, loader_class: type | None = None) -> Any:
    """Parse YAML text into LocDict/LocList values; raise ScenarioError with a position on failure."""
    loader = None
    try:
        loader = (loader_class or DEFAULT_LOADER)(text, path)
        node = loader.get_single_node()
        if node is None:
            return None
        deep = _too_deep(node)
        if deep is not None:
            raise ScenarioError.single(
                path,
                deep.start_mark.line + 1,
                deep.start_mark.column + 1,
                f"YAML is nested more than {MAX_DEPTH} levels deep",
                "yaml-limits",
            )
        if _expanded_size(node, {}) > MAX_NODES:
            raise ScenarioError.single(
                path,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"YAML expands to more than {MAX_NODES} nodes (alias bomb?)",
                "yaml-limits",
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if (
            exc.problem
            and exc.context
            and context is not None
            and (context.line, context.column) != (line - 1, col - 1)
        ):
            reason += f" ({exc.context} at line {context.line + 1}, column {context.column + 1})"
        reason += _hint(text, mark, reason)
        raise ScenarioError.single(path, line, col, f"YAML syntax error: {reason}", "yaml") from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        message = f"character {exc.character:#06x} is not allowed in YAML text"
        raise ScenarioError.single(path, line, col, message, "encoding") from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(path, 1, 1, f"YAML error: {exc}", "yaml") from None
    except RecursionError:
        raise ScenarioError.single(path, 1, 1, "YAML nesting is too deep", "yaml-limits") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml_file(path: Path | str) -> Any:
    """Read and parse a YAML file with the size, encoding and structure limits applied."""
    path = Path(path)
    shown = str(path)
    try:
        if not path.is_file():
            if path.is_symlink() and not path.exists():
                what = "a broken symbolic link"
            elif not path.exists():
                what = "no such file"
            elif path.is_dir():
                what = "is a directory, not a file"
            else:
                what = "is a special file (device, pipe or socket), not a regular file"
            raise ScenarioError.single(shown, 1, 1, what, "missing-file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError.single(shown, 1, 1, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", "too-large")
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError.single(shown, 1, 1, f"cannot read file: {exc.strerror}", "io") from None
    if b"\x00" in raw:
        raise ScenarioError.single(shown, 1, 1, "binary file, not YAML text", "encoding")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError.single(shown, line, col, "file is not UTF-8 text", "encoding") from None
    return parse_yaml(text, shown)


def value_mark(container: Any, key: Any, default: Mark) -> Mark:
    """The position of ``container[key]`` if known, else ``default``."""
    if isinstance(container, LocDict):
        return container.value_marks.get(key, container.mark or default)
    if isinstance(container, LocList) and isinstance(key, int) and key < len(container.item_marks):
        return container.item_marks[key]
    return getattr(container, "mark", None) or default


def key_mark(container: Any, key: Any, default: Mark) -> Mark:
    """The position of a mapping key if known, else ``default``."""
    if isinstance(container, LocDict):
        return container.key_marks.get(key, container.mark or default)
    return value_mark(container, key, default)


def items_with_marks(items: list[Any]) -> Iterable[tuple[Any, Mark]]:
    """Each item of a list with its position (``("?", 1, 1)`` where unknown)."""
    marks = getattr(items, "item_marks", [])
    for i, item in enumerate(items):
        yield item, marks[i] if i < len(marks) else ("?", 1, 1)


def problem_at(mark: Mark, message: str, code: str = "invalid") -> Problem:
    """A Problem at a mark."""
    return Problem(mark[0], mark[1], mark[2], message, code)
