"""The scenario a save was played with: embedded in the save (with its extends: chain), or the library's.

A save embeds the text of every file of its scenario's ``extends:`` chain (``defaults.yaml``
included), so ``--resume``, ``trilat replay`` and ``trilat report`` replay it exactly whatever
happened to the library since; when the library's copy differs or is gone, a notice says so.
Saves from before the embedding hold only a fingerprint and need the library copy unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import ScenarioError, TrilatError
from sim.lang.loading import describe_non_file
from sim.lang.scenario import Scenario, load_embedded_scenario, load_scenario

if TYPE_CHECKING:
    from sim.play.save_schema import SavedScenario


class SaveError(TrilatError):
    """A save file that cannot be read: damaged, foreign, from a newer version, or out of date."""


def saved_scenario(path: Path, saved: SavedScenario) -> tuple[Scenario, list[str]]:
    """The scenario a save was played with: its embedded copy if it has one, else the library's.

    A save embeds the text of every file of the scenario's ``extends:`` chain, so it replays
    whatever happened to the library since; if the library copy differs (or is gone), a notice
    says so. An older save without the texts needs the library copy unchanged.
    """
    _check_scenario_path(path, saved.path)
    if saved.files is None:
        return _library_scenario(path, saved, required=True), []
    try:
        scenario = load_embedded_scenario(saved.path, [(f.path, f.text) for f in saved.files])
    except ScenarioError as exc:
        raise SaveError(f"{path}: damaged save (the scenario embedded in it {_first_problem(exc)})") from None
    except TrilatError as exc:
        raise SaveError(f"{path}: damaged save (the scenario embedded in it cannot be loaded: {exc})") from None
    if scenario.content_hash != saved.content_hash:
        raise SaveError(f"{path}: damaged save (the embedded scenario does not match its fingerprint)")
    try:
        library = _library_scenario(path, saved, required=False)
    except SaveError:
        library = None
    if library is None or library.content_hash != scenario.content_hash:
        where = "is no longer in the library" if library is None else f"in the library ({library.path}) has changed"
        return scenario, [
            f"scenario '{scenario.id}' {where} since this game was played; using the copy saved with the game"
        ]
    return scenario, []


def _first_problem(exc: ScenarioError) -> str:
    """The first problem of an embedded scenario, in one line (the file on disk is not the one at fault)."""
    if not exc.problems:
        return f"cannot be loaded: {exc}"
    first = exc.problems[0]
    more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
    return f"has a problem in its copy of {first.path}, line {first.line}, column {first.col}: {first.message}{more}"


def _check_scenario_path(path: Path, recorded: str) -> None:
    """Refuse a recorded scenario path that is something other than a file (a device, a pipe, a folder)."""
    where = Path(recorded)
    try:
        special = where.exists() and not where.is_file()
    except (OSError, ValueError):
        special = True
    if special:
        raise SaveError(f"{path}: damaged save (scenario.path '{recorded}' {describe_non_file(where)})")


def _library_scenario(path: Path, saved: SavedScenario, required: bool) -> Scenario:
    """The library's (or the saved path's) current copy of a save's scenario; an old save needs it unchanged."""
    try:
        scenario = load_scenario(saved.path if Path(saved.path).is_file() else saved.id)
    except TrilatError as exc:
        raise SaveError(f"{path}: its scenario cannot be loaded: {exc}") from None
    if required and scenario.content_hash != saved.content_hash:
        raise SaveError(
            f"{path}: scenario '{scenario.id}' has changed since this game was saved, "
            "so the game cannot be replayed exactly; restore the scenario files as they were "
            f"when it was played ({', '.join(p.name for p in scenario.files)})"
        )
    return scenario
