"""Payloads of the badges API."""

from datetime import UTC, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

ReasonCode = Literal[
    "ok", "already_in", "revoked", "not_approved", "unknown", "wrong_assembly", "invalid"
]


def in_utc(value: datetime | None) -> datetime | None:
    """A desk's time without an offset is ambiguous; one beyond UTC's calendar is nonsense."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("give the time with its UTC offset, e.g. 2026-05-04T09:30:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None


class StrictIn(Schema):
    """A misspelled field is refused, not ignored for its default."""

    model_config = ConfigDict(extra="forbid")


class ScanIn(StrictIn):
    # No length limit: an over-long read (a vCard QR) is recorded as invalid, not refused
    # with the rest of an offline queue.
    token: str = Field(..., description="The text read from the badge QR.")
    checkpoint: str = Field(..., max_length=40, description="Checkpoint code, e.g. `plenary`.")
    direction: Literal["in", "out"] = "in"
    desk: str = Field("", max_length=60)
    device: str = Field("", max_length=40, description="The desk device's own id.")
    client_time: datetime | None = None
    idempotency_key: str = Field(..., min_length=8, max_length=80)

    @field_validator("client_time")
    @classmethod
    def with_utc_offset(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)


class OfflineScanIn(ScanIn):
    offline_answer: ReasonCode = Field("ok", description="What the desk answered offline.")


class OfflineUploadIn(StrictIn):
    scans: list[OfflineScanIn] = Field(..., max_length=5000)
    sent_at: datetime | None = Field(
        None, description="The desk's clock when it sent the upload: corrects its scans' times."
    )

    @field_validator("sent_at")
    @classmethod
    def with_utc_offset(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)


class DelegateOut(Schema):
    id: int
    name: str
    title: str
    organization: str
    country: str
    role: str
    role_label: str
    state: str
    photo_url: str
    badge_version: int | None
    attention: str


class ScanOut(Schema):
    reason: ReasonCode
    accepted: bool
    explanation: str
    scan_id: int
    idempotency_key: str
    checkpoint: str
    direction: str
    at: datetime
    delegate: DelegateOut | None
    replayed: bool
    offline: bool
    conflict: bool


class OfflineUploadOut(Schema):
    results: list[ScanOut]
    conflicts: int


class ReasonIn(StrictIn):
    reason: str = Field(..., min_length=1, max_length=300)
    desk: str = Field("", max_length=60)


class AttentionIn(StrictIn):
    attention: str = Field(..., max_length=200, description="Empty to clear the flag.")


class PrintIn(StrictIn):
    desk: str = Field("", max_length=60)


class BadgeOut(Schema):
    delegate_id: int
    version: int
    revoked: bool
    pdf_url: str
    rendered_at: datetime | None
    printed_at: datetime | None


class BatchIn(StrictIn):
    layout: Literal["a6", "a4"] = "a6"
    role: str = ""
    attendance: str = ""
    not_printed: bool = False


class BatchOut(Schema):
    id: int
    status: str
    layout: str
    total: int
    done: int
    percent: int
    error: str
    download_url: str


class CheckpointCountOut(Schema):
    code: str
    name: str
    is_voting: bool
    inside: int
    entries_today: int
    refused_today: int
    scans_today: int


class CountsOut(Schema):
    approved_in_person: int
    checkpoints: list[CheckpointCountOut]


class ArrivalOut(Schema):
    hour: str
    checkpoint: str
    count: int
