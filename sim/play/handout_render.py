"""Packs (:class:`sim.play.handouts.Document`) as self-contained printable HTML or as plain text."""

from __future__ import annotations

import textwrap
from html import escape

from sim.play.handouts import Block, Bullets, CardBox, Document, Group, Heading, Para, Table

CSS = """
:root { --ink: #1d1d1b; --muted: #5a5a55; --line: #c9c6bd; --accent: #0072b2; --card: #f6f4ee; }
* { box-sizing: border-box; }
body { font: 11.5pt/1.45 "Helvetica Neue", Arial, "Apple SD Gothic Neo", "Malgun Gothic", "Hiragino Sans",
       "Yu Gothic", "Noto Sans CJK KR", "Noto Sans CJK JP", sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 46rem; padding: 1.5rem; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 1rem; }
header h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
header p { color: var(--muted); margin: 0 0 .6rem; }
h2 { font-size: 1.25rem; color: var(--accent); margin: 1.3rem 0 .4rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 .3rem; }
p { margin: .35rem 0 .6rem; }
p.lead { font-size: 1.08rem; }
p.note { font-size: .9rem; color: var(--muted); }
ul, ol { margin: .3rem 0 .7rem 1.3rem; padding: 0; }
li { margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #ebe8df; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--accent); background: var(--card);
        border-radius: 4px; padding: .5rem .8rem; margin: .6rem 0; break-inside: avoid; page-break-inside: avoid; }
.card h3 { margin: 0 0 .2rem; }
.card .meta { color: var(--muted); font-size: .9rem; margin: 0 0 .3rem; }
.card .story { font-style: italic; }
.card .source { color: var(--muted); font-size: .85rem; margin: .2rem 0 0; }
code { font: .92em "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #efece4; padding: 0 .2em; }
.group { break-inside: avoid; page-break-inside: avoid; }
.page-break { break-after: page; page-break-after: always; height: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; line-height: 1.35; }
  header h1 { font-size: 17pt; }
  h2 { font-size: 12.5pt; margin: .8rem 0 .3rem; }
  h3 { font-size: 10.5pt; margin: .6rem 0 .2rem; }
  table { font-size: 8.5pt; margin: .3rem 0 .5rem; }
  th, td { padding: .15rem .35rem; }
  li { margin: .1rem 0; }
  .card { padding: .35rem .7rem; margin: .4rem 0; }
  @page { size: A4; margin: 16mm 15mm; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
"""The pack's Content-Security-Policy: its inline style and nothing else (no script, image or font from anywhere)."""


def inline(text: str) -> str:
    """Escape ``text`` for HTML; spans in backticks become ``<code>``."""
    parts = text.split("`")
    return "".join(f"<code>{escape(p)}</code>" if i % 2 else escape(p) for i, p in enumerate(parts))


def _card_html(card: CardBox) -> str:
    parts = [
        '<section class="card">',
        f"<h3>{escape(card.title)}</h3>",
        f'<p class="meta">{escape(card.cost.capitalize())} · {escape(card.kind)}</p>',
    ]
    if card.effects:
        parts.append("<p><strong>What it does:</strong></p><ul>")
        parts += [f"<li>{escape(e)}</li>" for e in card.effects]
        parts.append("</ul>")
    if card.condition:
        parts.append(f"<p><strong>Only when:</strong> {escape(card.condition)}</p>")
    if card.story:
        parts.append(f'<p class="story">{escape(card.story)}</p>')
    if card.source:
        parts.append(f'<p class="source">Source: {escape(card.source)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _block_html(block: Block) -> str:
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        return f"<{tag}>{inline(block.text)}</{tag}>"
    if isinstance(block, Para):
        return f'<p class="{block.style}">{inline(block.text)}</p>'
    if isinstance(block, Bullets):
        tag = "ol" if block.numbered else "ul"
        return f"<{tag}>" + "".join(f"<li>{inline(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, CardBox):
        return _card_html(block)
    if isinstance(block, Group):
        return '<div class="group">' + "\n".join(_block_html(b) for b in block.blocks) + "</div>"
    return '<div class="page-break"></div>'


def to_html(doc: Document) -> str:
    """The pack as one self-contained HTML page (inline CSS, no scripts, print-ready)."""
    body = "\n".join(_block_html(block) for block in doc.blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(doc.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(doc.title)}</h1><p>{escape(doc.subtitle)}</p></header>\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def to_text(doc: Document, width: int = 92) -> str:
    """The pack as plain text for a terminal (``trilat show --team``)."""

    def wrap(text: str, first: str = "", rest: str = "") -> list[str]:
        return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest or first) or [first]

    lines = [doc.title, "=" * len(doc.title), *wrap(doc.subtitle)]
    blocks = [b for block in doc.blocks for b in (block.blocks if isinstance(block, Group) else (block,))]
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["", block.text, ("-" if block.level == 1 else "~") * len(block.text)]
        elif isinstance(block, Para):
            lines += wrap(block.text)
        elif isinstance(block, Bullets):
            for i, item in enumerate(block.items, 1):
                mark = f"{i}. " if block.numbered else "- "
                lines += wrap(item, "  " + mark, "  " + " " * len(mark))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c for c in row if c]
                lines += wrap(
                    f"{cells[0]}: {', '.join(cells[1:])}" if len(cells) > 1 else "".join(cells), "  ", "      "
                )
        elif isinstance(block, CardBox):
            lines += ["", *wrap(f"* {block.title} ({block.cost}; {block.kind})", "  ", "    ")]
            lines += [line for e in block.effects for line in wrap(e, "      - ", "        ")]
            if block.condition:
                lines += wrap(f"Only when: {block.condition}", "      ")
            if block.story:
                lines += wrap(block.story, "      ")
            if block.source:
                lines += wrap(f"Source: {block.source}", "      ")
    return "\n".join(lines)
