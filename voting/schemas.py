"""API schemas of the voting app."""

from typing import Any

from ninja import Field, Schema
from pydantic import StrictInt

from voting.services import CLOSE_AFTER_SECONDS, MAX_MIN_OPEN_SECONDS, MAX_OVERRIDE_REASON


class RegionFigures(Schema):
    label: str
    present: int
    eligible: int


class QuorumOut(Schema):
    body: str
    body_name: str
    eligible: int
    eligible_weight: int
    present: int
    present_weight: int
    needed: int
    status: str = Field(description="not_reached, reached or lost")
    reached: bool
    present_population: int
    eligible_population: int
    by_region: dict[str, RegionFigures]
    changed_at: str | None


class OptionOut(Schema):
    value: str
    label: str


class PollOut(Schema):
    id: int
    motion: str
    title: str
    body: str
    kind: str
    state: str
    round: int
    seats: int
    mode: str
    majority: str
    options: list[OptionOut]
    turnout: int
    turnout_weight: int
    eligible: int | None
    opened_at: str | None
    closes_at: str | None
    seconds_left: int | None
    closed_at: str | None
    published_at: str | None
    at_open: dict[str, Any] | None
    at_close: dict[str, Any] | None
    override_reason: str
    result: dict[str, Any] | None = Field(
        description="Only once visible: published, or closed for the chair and secretariat."
    )


class MotionOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    body: str
    majority: str
    seats: int
    agenda_item: str


# Numbers and ids in requests are StrictInt: pydantic's lax int reads true as 1 and takes "123",
# 123.0 and " 123 ", so `{"members": [true]}` would vote for member 1.
class PollCreateIn(Schema):
    motion: StrictInt | str = Field(description="The motion's id (an integer) or its code")
    kind: str = Field(description="secret, roll_call or hand")
    min_open_seconds: StrictInt = Field(0, ge=0, le=MAX_MIN_OPEN_SECONDS)
    close_after_seconds: StrictInt | None = Field(
        None, ge=CLOSE_AFTER_SECONDS[0], le=CLOSE_AFTER_SECONDS[1]
    )


class OpenIn(Schema):
    override_reason: str = Field("", max_length=MAX_OVERRIDE_REASON)


class BallotIn(Schema):
    choices: list[str] = Field(description='"yes", "no", "abstain", or candidate ids')
    members: list[StrictInt] | None = Field(
        None, description="Members to vote for (default: every member you represent)"
    )


class ReceiptOut(Schema):
    member: str
    code: str
    choices: list[str]
    words: list[str]


class HandCountsIn(Schema):
    # Strict: true or "10" is no count.
    counts: dict[str, StrictInt]
    ballots: StrictInt = Field(ge=0)


class ResultOut(Schema):
    poll: int
    state: str
    sentence: str
    outcome: str
    cast: int
    base: int
    abstentions: int
    threshold: int
    counts: dict[str, int]
    elected: list[str]
    runoff: list[str]


class ReceiptRowOut(Schema):
    receipt_hash: str
    choices: list[str]
    words: list[str]
    weight: int


class ProxyIn(Schema):
    member: StrictInt = Field(description="The represented member's id")
    holder: StrictInt = Field(
        description="The holder's delegate id (another member's voting delegate)"
    )


class ProxyOut(Schema):
    id: int
    member: int
    member_name: str
    holder: int
    holder_name: str
    state: str
