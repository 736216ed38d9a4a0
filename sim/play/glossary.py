"""The game's words in plain language: one glossary for the glossary screen, tooltips, handouts and the room's pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        word: The word as students meet it on screen.
        meaning: One or two plain sentences a 16-year-old can follow.
        aliases: Other spellings or technical names the same idea appears under.
    """

    word: str
    meaning: str
    aliases: tuple[str, ...] = ()


GLOSSARY: tuple[Term, ...] = (
    Term(
        "Tie",
        "How well two governments work together, from 0 (not at all) to 100 (very closely). "
        "Each pair has one tie per area: security, exercises, economy, history and so on.",
        ("cooperation", "pair tie", "domain"),
    ),
    Term(
        "Trilateral index",
        "One number for how well all three governments work together: it is pulled down most by the weakest of "
        "the three ties, because a chain is only as strong as its weakest link.",
        ("trilateral cooperation index",),
    ),
    Term(
        "Approval",
        "How many people at home back the government, from 0 to 100. Low approval makes elections and bold "
        "moves harder.",
    ),
    Term(
        "Political capital",
        "The points a team spends on moves each turn. It comes back slowly; moves that cost more than you have "
        "are greyed out.",
        ("capital",),
    ),
    Term(
        "Polarization",
        "How far apart the two political camps at home are. When it is high, what one side does the other side "
        "attacks, and deals with other countries are harder to keep.",
    ),
    Term(
        "Camp",
        "The political side that governs: in Seoul the conservatives or the progressives, in Tokyo the mainstream "
        "or the hawks of the governing party, in Washington a traditional or an America First White House.",
        ("party in power",),
    ),
    Term(
        "Base",
        "The voters who support the party in power. Some moves please the base even when they hurt a partnership.",
    ),
    Term(
        "Out-party",
        "The side not in power. It can stir up a dispute to attack the government.",
        ("opposition",),
    ),
    Term(
        "View of a partner",
        "How favourably the public in one country sees another country, from 0 to 100. It changes slowly with "
        "disputes, summits and shared threats.",
        ("public view", "favourability"),
    ),
    Term(
        "History dispute",
        "A quarrel over the past, such as wartime forced labour or a shrine visit. It hurts the history tie most "
        "and can spill over into security ties.",
        ("history salience", "grievance"),
    ),
    Term(
        "Two-track approach",
        "Keeping history disputes and security cooperation apart, so a quarrel over the past does not stop "
        "working together against a shared threat.",
        ("separate history track",),
    ),
    Term(
        "Threat",
        "How dangerous a government thinks North Korea, China or Russia is right now. A higher threat usually "
        "pushes the three partners closer together.",
        ("perceived threat",),
    ),
    Term(
        "Deterrence",
        "Convincing an adversary not to attack because the response would cost it too much.",
    ),
    Term(
        "Institutions",
        "Regular meetings, hotlines and agreements that keep cooperation going when leaders change. They fade "
        "if summits are skipped.",
        ("institutionalization", "institutional anchor"),
    ),
    Term(
        "Transactional",
        "Treating an alliance as a deal: a White House that asks allies to pay more or buy more before it helps.",
        ("transactionalism", "America First"),
    ),
    Term(
        "Demand",
        "A transactional White House asks an ally to pay more, buy more or invest more. The ally can give in, "
        "push back or look for other partners.",
        ("burden-sharing demand", "ultimatum"),
    ),
    Term(
        "Hedging",
        "Keeping options open with other powers, such as China, in case an ally cannot be relied on.",
    ),
    Term(
        "Abandonment",
        "The fear that an ally will not help when it matters.",
    ),
    Term(
        "Entrapment",
        "The fear of being dragged into an ally's conflict that is not your own.",
    ),
    Term(
        "Willingness",
        "How ready a government is to cooperate this turn, before its moves: it rises with threat and trust and "
        "falls with disputes at home.",
    ),
    Term(
        "Pulls back to normal",
        "Without new moves, ties and moods slowly return toward their usual level.",
        ("drift toward base level", "reversion"),
    ),
    Term(
        "Event",
        "Something the scenario makes happen, such as an election or a missile test. Some events are certain, "
        "others happen only by chance.",
    ),
    Term(
        "Inject",
        "A surprise event the facilitator adds during play.",
        ("injection", "white cell"),
    ),
    Term(
        "Replays with other luck",
        "Copies of the game played out many times with the same moves but different luck. If the replays spread "
        "widely, the result owes a lot to chance; if they agree, it owes more to the moves.",
        ("shadow worlds", "fan", "ensemble"),
    ),
    Term(
        "Quarter",
        "One turn is three months of real time, such as 2025Q3 (July to September 2025).",
        ("turn",),
    ),
    Term(
        "Score",
        "How far your team's objectives moved, compared with what would have happened had a computer played "
        "your government the usual way under the same events.",
        ("contribution",),
    ),
)


def lookup(word: str) -> Term | None:
    """The entry for a word or one of its aliases (case-insensitive), or None."""
    wanted = word.strip().casefold()
    for term in GLOSSARY:
        if term.word.casefold() == wanted or wanted in (alias.casefold() for alias in term.aliases):
            return term
    return None
