"""The mesa-free table of the parameters the built-in behaviour reads is the one the agents and dynamics use."""

from __future__ import annotations

from sim.engine.dynamics import required_parameters
from sim.engine.required_parameters import REQUIRED_PARAMETERS


def test_the_table_equals_what_the_agents_and_dynamics_read():
    """If this fails, an agent or engine module reads a coefficient list not declared in the table's module."""
    assert list(REQUIRED_PARAMETERS.items()) == list(required_parameters().items())


def test_the_check_still_finds_a_missing_coefficient():
    """A save embedding an older defaults.yaml that lacks a coefficient is refused, located."""
    from sim.lang.loading import library_dir
    from sim.lang.scenario import load_embedded_scenario

    text = (library_dir() / "defaults.yaml").read_text(encoding="utf-8")
    name = next(iter(REQUIRED_PARAMETERS))
    lines = text.splitlines(keepends=True)
    without = "".join(line for line in lines if not line.lstrip().startswith(f"{name}: {{default:"))
    assert len(without) < len(text)
    chain = [("defaults.yaml", without), ("baseline.yaml", (library_dir() / "baseline.yaml").read_text())]
    try:
        load_embedded_scenario("baseline.yaml", chain)
    except Exception as exc:  # noqa: BLE001 - the message is what matters
        assert f"parameter '{name}'" in str(exc) and "is not defined" in str(exc)
    else:
        raise AssertionError("a scenario without a required coefficient loaded")
