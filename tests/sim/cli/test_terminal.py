"""Control characters from files never reach the terminal raw."""

from __future__ import annotations

import io

from sim.cli import main
from sim.cli.terminal import SafeStream, escape_controls


def test_controls_are_escaped_and_layout_characters_kept():
    assert escape_controls("a\x1b[31mb\x07c\u202ed") == "a\\x1b[31mb\\x07c\\u202ed"
    assert escape_controls("line\n\tcol\rbar") == "line\n\tcol\rbar"
    stream = io.StringIO()
    assert SafeStream(stream).write("\x1b]0;pwned\x07") == len("\x1b]0;pwned\x07")
    assert stream.getvalue() == "\\x1b]0;pwned\\x07"


def test_show_and_errors_print_no_raw_escape(tmp_path, capsys):
    evil = tmp_path / "evil.yaml"
    evil.write_text('id: evil\ntitle: "Evil \\e[2J\\e]0;owned\\a title"\nextends: baseline\n', encoding="utf-8")
    assert main(["show", str(evil)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J" in out
    broken = tmp_path / "broken.yaml"
    broken.write_text('id: b\ntitle: b\nextends: "\\e[31mbaseline"\n', encoding="utf-8")
    assert main(["show", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31m" in err
