"""Safe YAML loading: positions, duplicate keys, limits, encodings."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.lang.yamlio import MAX_FILE_BYTES, parse_yaml, read_yaml_file


def problems(call):
    with pytest.raises(ScenarioError) as exc:
        call()
    return exc.value.problems


def test_positions_of_keys_and_values_are_kept():
    data = parse_yaml("a: 1\nb:\n  c: 'x'\n  d: [1, 2]\n", "f.yaml")
    assert data.key_marks["b"] == ("f.yaml", 2, 1)
    assert data["b"].value_marks["c"] == ("f.yaml", 3, 6)
    assert data["b"].quoted["c"] is True
    assert data["b"]["d"].item_marks[1] == ("f.yaml", 4, 10)


def test_duplicate_keys_are_errors():
    (problem,) = problems(lambda: parse_yaml("a: 1\nb: 2\na: 3\n", "f.yaml"))
    assert (problem.line, problem.col) == (3, 1)
    assert "duplicate key 'a'" in problem.message and "line 1" in problem.message


def test_syntax_error_is_located():
    (problem,) = problems(lambda: parse_yaml("a: [1, 2\nb: 3\n", "f.yaml"))
    assert problem.line == 2 and "YAML syntax error" in problem.message


def test_only_safe_tags():
    (problem,) = problems(lambda: parse_yaml("a: !!python/object/apply:os.system ['true']\n", "f.yaml"))
    assert "YAML" in problem.message


def test_yaml_1_2_booleans():
    assert parse_yaml("a: off\nb: no\nc: true\n", "f") == {"a": "off", "b": "no", "c": True}


def test_alias_bomb_is_rejected_fast():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    (problem,) = problems(lambda: parse_yaml("\n".join(lines) + "\n", "bomb.yaml"))
    assert "expands to more than" in problem.message


def test_file_limits_and_encodings(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert "limit" in problems(lambda: read_yaml_file(big))[0].message
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x89PNG\x00\x01")
    assert "binary" in problems(lambda: read_yaml_file(binary))[0].message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: caf\xe9\n")
    (problem,) = problems(lambda: read_yaml_file(latin))
    assert "not UTF-8" in problem.message and (problem.line, problem.col) == (1, 11)
    assert "no such file" in problems(lambda: read_yaml_file(tmp_path / "none.yaml"))[0].message
    assert "directory" in problems(lambda: read_yaml_file(tmp_path))[0].message


@pytest.mark.parametrize("loader", ["libyaml", "python"])
def test_both_parsers_give_the_same_tree_and_positions(loader):
    from sim.lang.scenario import library_dir
    from sim.lang.yamlio import DEFAULT_LOADER, PythonLoader

    if loader == "libyaml" and DEFAULT_LOADER is PythonLoader:
        pytest.skip("PyYAML without libyaml")
    text = (library_dir() / "baseline.yaml").read_text(encoding="utf-8")
    chosen = PythonLoader if loader == "python" else DEFAULT_LOADER
    tree = parse_yaml(text, "b.yaml", chosen)
    reference = parse_yaml(text, "b.yaml", PythonLoader)
    assert tree == reference
    assert tree.value_marks == reference.value_marks
    assert tree["rules"][0].value_marks == reference["rules"][0].value_marks
    with pytest.raises(ScenarioError) as exc:
        parse_yaml("a: 1\na: 2\n", "d.yaml", chosen)
    assert (exc.value.problems[0].line, exc.value.problems[0].col) == (2, 1)
    with pytest.raises(ScenarioError) as exc:
        parse_yaml("a: [1, 2\nb: 3\n", "s.yaml", chosen)
    assert exc.value.problems[0].line == 2 and "YAML syntax error" in exc.value.problems[0].message
