"""Mesa agents of the trilateral model and the decision strategies of computer-controlled governments."""

from agents.context import DecisionContext
from agents.domestic import DomesticPolitics
from agents.government import Government
from agents.strategies import STRATEGIES, Classifier, Strategy, make_strategy
from agents.threat import ThreatActor

__all__ = [
    "STRATEGIES",
    "Classifier",
    "DecisionContext",
    "DomesticPolitics",
    "Government",
    "Strategy",
    "ThreatActor",
    "make_strategy",
]
