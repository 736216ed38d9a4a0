"""``trilat new``: a commented starter scenario that validates and runs."""

from __future__ import annotations

import re
from pathlib import Path

from sim.atomic import atomic_write_text, check_destination
from sim.errors import UsageError

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

TEMPLATE = """\
{modeline}# {id}: a starter scenario. Check it with `trilat validate {filename}`,
# play it with `trilat run {filename}`. Reference: docs/scenario-language.md.
id: {id}
title: "{title}"
summary: >
  Two to four sentences on the situation the players face, in your own words.
# Everything not written here comes from the scenario this one extends
# (its parameters, governments, threats, rules, events and action cards).
extends: {extends}
sources:
  - author: Kuyoun Chung
    title: "U.S.-ROK-Japan Trilateral Cooperation: Past, Present, and Future"
start: 2025Q1
turns: 8
debrief:
  - "Which event changed the ROK-Japan tie the most, and why?"
teacher_notes: >
  What the exercise teaches and how long it takes.

# Named parameters: sliders in the game, axes for research sweeps.
parameters:
  crisis_chance:
    default: 0.2
    range: [0, 1]
    doc: "Quarterly chance of a diplomatic crisis between Seoul and Tokyo."

# Rules run every turn in their phase (threats, events, domestic, decisions, cooperation,
# outcomes) where `when` holds, with probability `chance`. Effects add to a variable;
# write `{{set: value}}` to set it instead.
rules:
  - id: {id}_crisis
    title: Diplomatic crisis
    phase: events
    chance: "crisis_chance * ROK.history_salience"
    effects:
      tie.ROK_JPN: -0.03
      ROK.history_salience: 0.05
    say: "A diplomatic row between Seoul and Tokyo dominates the news."
    source: "Chung"

# Events happen on a quarter (`at:`) or by chance; `once: false` lets them repeat.
events:
  - id: {id}_summit
    title: Trilateral summit
    at: 2025Q3
    when: "trilateral > 0.5"
    effects:
      institutionalization: 0.02
    say: "The three leaders meet and agree on a standing secretariat work plan."
    source: "Chung"

# Action cards: what each team can play, paid with political capital.
actions:
  JPN:
    - id: {id}_outreach
      title: Reach out to Seoul
      cost: 1
      stance: cooperative
      effects:
        tie.ROK_JPN: 0.03
      say: "Tokyo proposes a joint youth exchange program."
      source: "Chung"
"""


def write_starter(name: str, extends: str = "baseline", folder: Path | str = ".", force: bool = False) -> Path:
    """Write ``NAME.yaml`` into ``folder``; refuse to overwrite unless ``force``."""
    if not _ID.match(name) or len(name) > 40:
        raise UsageError(f"scenario name '{name}' must be letters, digits and _, starting with a letter")
    path = Path(folder) / f"{name}.yaml"
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it")
    from sim.errors import ScenarioError
    from sim.lang.scenario import library_dir, load_scenario

    schema = (library_dir().parent / "schema" / "scenario.schema.json").resolve()
    text = TEMPLATE.format(
        id=name,
        title=name.replace("_", " ").capitalize(),
        extends=extends,
        filename=path.name,
        modeline=f"# yaml-language-server: $schema={schema.as_uri()}\n#\n" if schema.is_file() else "",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    check_destination(path)
    # Write beside the target (so extends: resolves the same way), check it, then move it in place:
    # a starter that does not validate is never left behind.
    tmp = atomic_write_text(path.with_name(f".{path.name}.tmp.yaml"), text)  # never through a planted link
    try:
        load_scenario(tmp)
    except ScenarioError as exc:
        tmp.unlink(missing_ok=True)
        detail = exc.problems[0].message if exc.problems else str(exc)
        raise UsageError(f"cannot start from '{extends}': {detail}") from None
    tmp.replace(path)
    return path
