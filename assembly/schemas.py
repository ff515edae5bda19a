"""API schemas of the core domain."""

from datetime import date

from ninja import Schema


class ErrorOut(Schema):
    code: str
    detail: str


class MemberCountsOut(Schema):
    total: int
    by_kind: dict[str, int]
    by_region: dict[str, int]
    local_governments_by_region: dict[str, int]
    voting_members: int


class CheckpointOut(Schema):
    code: str
    name: str
    kind: str
    is_voting: bool


class AssemblyRulesOut(Schema):
    voting_member_kinds: list[str]
    voting_membership_types: list[str]
    voting_requires_dues_paid: bool
    quorum_kind: str
    quorum_fraction: float
    quorum_absolute: int | None
    online_presence_counts: bool
    proxies_allowed: bool
    max_proxies_per_holder: int


class AssemblyOut(Schema):
    slug: str
    name: str
    organisation: str
    city: str
    country: str
    venue: str
    time_zone: str
    start_date: date
    end_date: date
    rules: AssemblyRulesOut
    checkpoints: list[CheckpointOut]
    members: MemberCountsOut
    your_roles: list[str]


class AssemblySummaryOut(Schema):
    slug: str
    name: str
    city: str
    start_date: date
    end_date: date


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    region: str
    membership_type: str
    membership_status: str
    dues_paid: bool
    population: int | None


class MeOut(Schema):
    username: str
    name: str
    is_staff: bool
    roles: dict[str, list[str]]
