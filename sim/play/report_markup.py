"""Safe text for the after-action report: Markdown escaping and the report's own small HTML converter.

Every text a user or a scenario supplies (team names, titles, narratives, notes, parameter
names) passes through :func:`md` before it reaches ``report.md``: control characters and line
breaks become spaces, HTML's ``< > &`` become entities and Markdown's punctuation (and ``://``,
against GitHub's autolinks) is backslash-escaped, so such a text can neither break a table,
start a heading, add an image or link, nor carry markup. :func:`markdown_to_html` understands
exactly those escapes; the page it writes loads nothing from outside (a strict
Content-Security-Policy, images only from local files named like the report's charts).
"""

from __future__ import annotations

import html
import re
import unicodedata

ESCAPED = frozenset("\\`*[]|!#~{}")
"""Markdown punctuation always backslash-escaped in supplied text (``_`` only where it could mark emphasis)."""
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
PRIVATE = 0xE000
"""Backslash-escaped characters travel through the converter as private-use characters."""
LOCAL_IMAGE = re.compile(r"[A-Za-z0-9_-]{1,64}\.png")
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""The report page's Content-Security-Policy: inline style and its own chart files, nothing else."""
STYLE = (
    "body{font-family:system-ui,'Noto Sans','Noto Sans CJK KR','Noto Sans CJK JP','Apple SD Gothic Neo',"
    "'Malgun Gothic','Hiragino Sans','Yu Gothic',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;"
    "padding:.3rem .6rem;text-align:left}th{background:#eef3f8}img{max-width:100%}h1{color:#0072B2}"
)


def plain(text: object) -> str:
    """``text`` on one line: control characters and line breaks as spaces, no bidi overrides, lone surrogates U+FFFD."""
    out = []
    for char in str(text):
        if char in BIDI_CONTROLS:
            continue
        category = unicodedata.category(char)
        out.append(" " if category in ("Cc", "Zl", "Zp") else "\ufffd" if category == "Cs" else char)
    return "".join(out)


def md(text: object) -> str:
    """``text`` as literal Markdown inline text (safe in a table cell, a list item or a heading)."""
    source = plain(text)
    out = []
    for i, char in enumerate(source):
        if char in ENTITIES:
            out.append(ENTITIES[char])
        elif char in ESCAPED:
            out.append("\\" + char)
        elif char == "_" and not (_word(source, i - 1) and _word(source, i + 1)):
            out.append("\\_")
        else:
            out.append(char)
    return "".join(out).replace("://", "\\://").replace("www.", "www\\.")  # no bare-URL autolinks (GFM)


def _word(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalnum()


def _protect(line: str) -> str:
    """Backslash escapes and the three entities :func:`md` writes, as private-use characters (literal text)."""
    line = re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: chr(PRIVATE + ord(m[1])), line)
    return re.sub(r"&(amp|lt|gt);", lambda m: chr(PRIVATE + ord(html.unescape(m[0]))), line)


def _restore(text: str) -> str:
    return re.sub("[\ue000-\ue07f]", lambda m: html.escape(chr(ord(m[0]) - PRIVATE)), text)


def _inline(text: str) -> str:
    """A protected line as HTML: escaped, with the report's own ``**bold**``, ``*italic*`` and ``code``."""
    escaped = html.escape(text)
    parts = escaped.split("**")
    escaped = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("*")
    escaped = "".join(f"<em>{p}</em>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("`")
    return _restore("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def _image(line: str) -> str:
    """An image line as ``<img>``: only a local chart file (``name.png``); anything else is dropped."""
    alt, _, src = line[2:].partition("](")
    src = src.removesuffix(")")
    if not LOCAL_IMAGE.fullmatch(src):
        return ""
    return f'<p><img src="{src}" alt="{html.escape(_restore(alt), quote=True)}"></p>'


def markdown_to_html(markdown: str, title: str) -> str:
    """A small converter for the report's own Markdown (headings, lists, tables, local images)."""
    body: list[str] = []
    in_list: str | None = None
    table: list[list[str]] = []

    def close() -> None:
        nonlocal in_list, table
        if in_list:
            body.append(f"</{in_list}>")
            in_list = None
        if table:
            head, *rest = table
            body.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>")
            for row in rest:
                body.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
            body.append("</tbody></table>")
            table = []

    for raw in markdown.splitlines():
        line = _protect(raw)
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(set(c) <= {"-"} for c in cells):
                table.append(cells)
            continue
        if stripped.startswith("- ") or (stripped[:1].isdigit() and ". " in stripped[:4]):
            kind = "ul" if stripped.startswith("- ") else "ol"
            if in_list != kind:
                close()
                body.append(f"<{kind}>")
                in_list = kind
            body.append(f"<li>{_inline(stripped.split(' ', 1)[1])}</li>")
            continue
        if line.startswith("  ") and in_list and stripped:
            body[-1] = body[-1].removesuffix("</li>") + f"<br>{_inline(stripped)}</li>"
            continue
        close()
        if stripped.startswith("!["):
            body.append(_image(stripped))
        elif stripped.startswith("#"):
            level = min(6, len(stripped) - len(stripped.lstrip("#")))
            body.append(f"<h{level}>{_inline(stripped.lstrip('#').strip())}</h{level}>")
        elif stripped:
            body.append(f"<p>{_inline(stripped)}</p>")
    close()
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(plain(title))}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(b for b in body if b)
        + "\n</body></html>\n"
    )
