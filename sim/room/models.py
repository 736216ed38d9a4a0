"""The request bodies the room's API accepts, validated (unknown fields, long strings and long lists refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Government = Literal["USA", "ROK", "JPN"]
CardId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
JoinCode = Annotated[str, Field(min_length=4, max_length=12, pattern=r"^[A-Za-z0-9 ]+$")]
MAX_CARDS = 12
MAX_TIMER_SECONDS = 3600


class Body(BaseModel):
    """A request body: no extra fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LobbyRequest(Body):
    """Which teams can still join (needs the join code)."""

    code: JoinCode


class JoinRequest(Body):
    """The first device of a team joins."""

    code: JoinCode
    team: Government


class MoveRequest(Body):
    """A team's cards for the coming turn (an empty list: the team passes)."""

    cards: list[CardId] = Field(default_factory=list, max_length=MAX_CARDS)


class TimerRequest(Body):
    """Restart the countdown at ``seconds``, and/or pause (True) or resume (False) it."""

    seconds: int | None = Field(default=None, ge=0, le=MAX_TIMER_SECONDS)
    pause: bool | None = None


class ReleaseRequest(Body):
    """Sign a team's devices out so it can join again."""

    team: Government
