"""The fixed structure of the model: actors, pairs, phases, state variables and their rows.

Every state variable is one row of a float matrix of shape (rows, replications). A
:class:`Layout` assigns rows for a given scenario (its cooperation domains, threat acts and
rule/event ids) and knows each variable's bounds, whether scenario effects may write it, and
its documentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# numpy is imported lazily (start-up, docs/performance.md): the names and bounds below serve
# `trilat list` and `--help`, which read no array; only Layout.build makes arrays.

GOVERNMENTS = ("USA", "ROK", "JPN")
THREAT_ACTORS = ("DPRK", "CHN", "RUS")
PAIRS = ("USA_ROK", "USA_JPN", "ROK_JPN")
PAIR_MEMBERS = {"USA_ROK": ("USA", "ROK"), "USA_JPN": ("USA", "JPN"), "ROK_JPN": ("ROK", "JPN")}
PHASES = ("threats", "events", "domestic", "decisions", "cooperation", "outcomes")
PROFILE_TRAITS = ("transactionalism", "commitment", "multilateralism", "history_stance", "dovishness")
CAPITAL_CEILING = 100.0
LEADER_DOC = "leader in power: index in the government's leaders: (file order), -1 if none of them"

MODEL_OPTIONS = (
    "scenario",
    "replications",
    "seed",
    "rng",
    "turns",
    "replication_ids",
    "strategies",
    "record",
    "engine",
    "keep",
    "bans",
    "script",
    "parameters",
)
"""Keyword options of :class:`sim.TrilateralModel`; a scenario parameter may not take one of these names."""


@dataclass(frozen=True)
class VarSpec:
    """One kind of state variable: bounds, writability and meaning."""

    lo: float
    hi: float
    doc: str
    writable: bool = True


GOVERNMENT_VARIABLES: dict[str, VarSpec] = {
    "transactionalism": VarSpec(0, 1, "leadership profile: preference for transactional, bilateral deals"),
    "commitment": VarSpec(0, 1, "leadership profile: commitment to the alliances"),
    "multilateralism": VarSpec(0, 1, "leadership profile: preference for multilateral formats"),
    "history_stance": VarSpec(0, 1, "leadership profile: weight put on historical grievances"),
    "capital": VarSpec(0, CAPITAL_CEILING, "political capital available to spend on actions"),
    "threat": VarSpec(0, 1, "overall threat perception (exposure-weighted)"),
    "threat_DPRK": VarSpec(0, 1, "threat perceived from North Korea"),
    "threat_CHN": VarSpec(0, 1, "threat perceived from China"),
    "threat_RUS": VarSpec(0, 1, "threat perceived from Russia"),
    "willingness": VarSpec(0, 1, "willingness to cooperate with the two partners"),
    "hedging": VarSpec(0, 1, "hedging: insurance against abandonment (autonomy, side deals)"),
    "approval": VarSpec(0, 1, "public approval of the government"),
    "polarization": VarSpec(0, 1, "domestic political polarization"),
    "support": VarSpec(0, 1, "public support for trilateral cooperation"),
    "history_salience": VarSpec(0, 1, "salience of historical issues between Seoul and Tokyo"),
    "crisis": VarSpec(0, 1, "intensity of a domestic political crisis"),
    "camp": VarSpec(0, 1, "camp in power: 0 = first camp listed in the scenario, 1 = second"),
    "turnover": VarSpec(0, 1, "1 in the turn the leadership changed", writable=False),
    "dovishness": VarSpec(0, 1, "leadership profile: inclination to read North Korea's moves as openings, not threats"),
    "china_leverage": VarSpec(0, 1, "economic leverage China holds over this government (trade, supply chains)"),
    "abandonment": VarSpec(0, 1, "fear of U.S. abandonment (for the USA: its own retrenchment)", writable=False),
    "entrapment": VarSpec(0, 1, "fear of being drawn into a U.S.-China conflict", writable=False),
}

THREAT_VARIABLES: dict[str, VarSpec] = {
    "capability": VarSpec(0, 1, "military and technical capability"),
    "aggressiveness": VarSpec(0, 1, "propensity to act against the three"),
    "alignment": VarSpec(0, 1, "alignment with the other revisionist states"),
    "activity": VarSpec(0, 1, "severity of this turn's acts", writable=False),
    "engagement": VarSpec(0, 1, "diplomatic engagement with the actor (talks, summits); lowers aggressiveness, fades"),
    "impact": VarSpec(0, 1, "severity of this turn's acts as perceived, after habituation", writable=False),
}

GLOBAL_VARIABLES: dict[str, VarSpec] = {
    "institutionalization": VarSpec(0, 1, "how institutionalized trilateral cooperation is (slow ratchet)"),
    "deterrence": VarSpec(0, 1, "credibility of combined deterrence"),
    "trilateral": VarSpec(0, 1, "trilateral index: tie average weighted toward the weakest tie", writable=False),
    "provocations": VarSpec(0, 1e9, "number of threat acts so far", writable=False),
    "events_fired": VarSpec(0, 1e9, "number of scenario events so far", writable=False),
    "upkeep": VarSpec(0, 1, "institutional upkeep: summits and mechanisms kept up recently (fades when skipped)"),
    "inst_settled": VarSpec(0, 1, "institutionalization as the last outcomes phase left it", writable=False),
}

ALLIES = ("ROK", "JPN")
"""The two allies the U.S. bargains with (the transactional bargaining loop, sim/engine/bargaining.py)."""

BARGAINING_VARIABLES: dict[str, VarSpec] = {
    "demand": VarSpec(0, 1, "pending U.S. demand on the ally (burden sharing, tariffs, investment): the unpaid bill"),
    "concession": VarSpec(0, 1, "what the ally paid toward the pending demand this turn (cleared when it is settled)"),
    "demands": VarSpec(0, 1e9, "demands the U.S. has issued to the ally so far", writable=False),
    "escalations": VarSpec(0, 1e9, "escalations (follow-up demands, tariff threats) after the ally resisted", False),
    "concessions": VarSpec(0, 1e9, "turns in which the ally paid toward a pending demand", writable=False),
    "settled": VarSpec(0, 1, "pending demand left at the last settlement (a new demand is a rise above it)", False),
}
"""Per-ally bargaining variables, named ``USA.<var>.<ally>`` (``USA.demand.ROK``); appended after all other rows."""


@dataclass(frozen=True)
class Layout:
    """Row assignment for one scenario's state matrix."""

    domains: tuple[str, ...]
    domain_weights: np.ndarray
    acts: dict[str, tuple[str, ...]]
    counters: tuple[str, ...]
    rows: dict[str, int]
    lo: np.ndarray
    hi: np.ndarray
    writable: frozenset[str]
    docs: dict[str, str]

    @classmethod
    def build(
        cls,
        domains: dict[str, float],
        acts: dict[str, tuple[str, ...]],
        counters: tuple[str, ...],
        cards: tuple[str, ...] = (),
        leaders: Mapping[str, int] | None = None,
    ) -> Layout:
        """Assign rows for the given domains (name -> weight), threat acts, counted ids and cards.

        ``leaders`` gives, per government that names leaders, how many it names: each such
        government gets a read-only ``GOV.leader`` row (after every other row).
        """
        rows: dict[str, int] = {}
        lo: list[float] = []
        hi: list[float] = []
        writable: set[str] = set()
        docs: dict[str, str] = {}

        def add(name: str, spec: VarSpec) -> None:
            rows[name] = len(lo)
            lo.append(spec.lo)
            hi.append(spec.hi)
            docs[name] = spec.doc
            if spec.writable:
                writable.add(name)

        for gov in GOVERNMENTS:
            for var, spec in GOVERNMENT_VARIABLES.items():
                add(f"{gov}.{var}", spec)
        for actor in THREAT_ACTORS:
            for var, spec in THREAT_VARIABLES.items():
                add(f"{actor}.{var}", spec)
            for act in acts.get(actor, ()):
                add(f"{actor}.{act}", VarSpec(0, 1, f"1 if {actor} did '{act}' this turn", False))
            for act in acts.get(actor, ()):
                add(f"{actor}.{act}.habituation", VarSpec(0, 1, f"habituation to {actor}'s '{act}'", False))
        for pair in PAIRS:
            for domain in domains:
                add(f"tie.{pair}.{domain}", VarSpec(0, 1, f"{pair} cooperation in {domain}"))
        for pair in PAIRS:
            add(f"tie.{pair}", VarSpec(0, 1, f"{pair} tie: weighted mean over domains"))
        for var, spec in GLOBAL_VARIABLES.items():
            add(var, spec)
        for counted in counters:
            add(f"fired.{counted}", VarSpec(0, 1e9, f"times '{counted}' has fired", False))
        for card in cards:
            add(f"played.{card}", VarSpec(0, 1e9, f"times card '{card}' has been played", False))
        for var, spec in BARGAINING_VARIABLES.items():
            for ally in ALLIES:
                add(f"USA.{var}.{ally}", spec)
        for gov in GOVERNMENTS:
            for view in view_variables(gov):
                doc = f"{gov} public's favourable view of {view[5:]} (the country, not trilateral cooperation)"
                add(f"{gov}.{view}", VarSpec(0, 1, doc))
        for gov, count in (leaders or {}).items():
            add(f"{gov}.leader", VarSpec(-1, count - 1, LEADER_DOC, False))
        import numpy as np

        weights = np.array(list(domains.values()), dtype=np.float64)
        weights = weights / weights.sum()
        return cls(
            domains=tuple(domains),
            domain_weights=weights,
            acts={actor: tuple(acts.get(actor, ())) for actor in THREAT_ACTORS},
            counters=counters,
            rows=rows,
            lo=np.array(lo),
            hi=np.array(hi),
            writable=frozenset(writable),
            docs=docs,
        )

    @property
    def size(self) -> int:
        """Number of rows."""
        return len(self.lo)

    def tie_rows(self, pair: str) -> slice:
        """The contiguous rows of one pair's domain ties."""
        first = self.rows[f"tie.{pair}.{self.domains[0]}"]
        return slice(first, first + len(self.domains))

    def target_rows(self, name: str) -> slice:
        """Rows an effect on ``name`` writes: a pair tie spreads over all its domains."""
        if name.startswith("tie.") and name.count(".") == 1:
            return self.tie_rows(name[4:])
        row = self.rows[name]
        return slice(row, row + 1)

    def targets(self) -> list[str]:
        """Names scenario effects may write (domain ties, pair ties, writable variables)."""
        return sorted(self.writable)


# --- second generation: domestic politics and public opinion (issue 10) ------------------------


def view_variables(gov: str) -> tuple[str, ...]:
    """The public's views of the partner countries, without the government's code.

    ``G.view.P`` (0-1) is how favourably G's public sees country P: not support for trilateral
    cooperation (``G.support``). For the USA: ``("view.ROK", "view.JPN")``. Their rows come after
    every other row of the layout.
    """
    return tuple(f"view.{partner}" for partner in GOVERNMENTS if partner != gov)
