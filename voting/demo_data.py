"""Demo governing bodies and motions of the 6th WeGO General Assembly (Seoul, 2023)."""

from typing import Literal, TypedDict

Majority = Literal["simple", "absolute_cast", "absolute_present", "two_thirds_cast"]


class BodyData(TypedDict):
    code: str
    name: str
    description: str


class MotionData(TypedDict):
    code: str
    body: str  # a code from BODIES
    kind: Literal["resolution", "election"]
    title: str
    text: str
    majority: Majority
    seats: int  # places to fill in an election; 0 for a resolution
    candidates: list[str]  # member names from assembly.demo_data.MEMBERS
    agenda_item: str | None  # a number from sessions.demo_data.AGENDA_ITEMS


BODIES: list[BodyData] = [
    {
        "code": "ga",
        "name": "General Assembly",
        "description": "All voting members: full local-government members with dues paid.",
    },
    {
        "code": "excom",
        "name": "Executive Committee",
        "description": "The Executive Committee's member cities (EXCOM_MEMBER_CITIES).",
    },
]

# Outcomes in the report: Seoul President City, Kampala and São Paulo Vice President Cities,
# Almaty Executive Vice President City and host of the 7th GA, three new Regional Offices. The
# majorities and the third Vice President candidate (Ulaanbaatar) are demo data.
_NEW_MEMBERS = (
    "Bishkek (Kyrgyzstan), Ryde (Australia), Tehran (Iran), Chirchik (Uzbekistan), Vueron, "
    "Laboratory of Software Embedded Engineering (LASEE), Woorigansan Systems, Smart Space "
    "Another Ground (SSAG) and Dassault Systèmes Korea"
)

MOTIONS: list[MotionData] = [
    # Executive Committee, ahead of the General Assembly.
    {
        "code": "excom-ga-agenda",
        "body": "excom",
        "kind": "resolution",
        "title": "Recommend the agenda of the 6th General Assembly",
        "text": (
            "The Executive Committee recommends the draft agenda of the 6th WeGO General "
            "Assembly to the members."
        ),
        "majority": "simple",
        "seats": 0,
        "candidates": [],
        "agenda_item": None,
    },
    {
        "code": "excom-regional-offices",
        "body": "excom",
        "kind": "resolution",
        "title": "Approve three new Regional Offices",
        "text": (
            "The Executive Committee approves the appointment of Abu Dhabi (Middle East & North "
            "Africa), Almaty (Central Asia) and Cuenca (Latin America) as WeGO Regional Offices "
            "and submits their establishment to the General Assembly."
        ),
        "majority": "absolute_cast",
        "seats": 0,
        "candidates": [],
        "agenda_item": None,
    },
    {
        "code": "excom-new-members",
        "body": "excom",
        "kind": "resolution",
        "title": "Welcome new members",
        "text": (
            f"The Executive Committee approves the admission of {_NEW_MEMBERS} as full members."
        ),
        "majority": "absolute_cast",
        "seats": 0,
        "candidates": [],
        "agenda_item": None,
    },
    # General Assembly Session, 26 September 2023.
    {
        "code": "ga-adopt-agenda",
        "body": "ga",
        "kind": "resolution",
        "title": "Adoption of the agenda",
        "text": "The General Assembly adopts the agenda of this session.",
        "majority": "simple",
        "seats": 0,
        "candidates": [],
        "agenda_item": "2",
    },
    {
        "code": "ga-president-city",
        "body": "ga",
        "kind": "resolution",
        "title": "Seoul as President City 2023-2026",
        "text": (
            "The General Assembly approves Seoul to serve as WeGO's President City for the "
            "2023-2026 term."
        ),
        "majority": "absolute_present",
        "seats": 0,
        "candidates": [],
        "agenda_item": "3",
    },
    {
        "code": "ga-vice-president-cities",
        "body": "ga",
        "kind": "election",
        "title": "Election of two Vice President Cities 2023-2026",
        "text": (
            "The General Assembly elects two Vice President Cities for the 2023-2026 term. Each "
            "voting member may choose up to two candidates."
        ),
        "majority": "absolute_cast",
        "seats": 2,
        "candidates": ["Kampala", "São Paulo", "Ulaanbaatar"],
        "agenda_item": "4",
    },
    {
        "code": "ga-executive-vice-president-city",
        "body": "ga",
        "kind": "election",
        "title": "Executive Vice President City 2023-2026 and host of the 7th General Assembly",
        "text": (
            "The General Assembly elects Almaty as Executive Vice President City for 2023-2026, "
            "host of EXCOM 2024 and of the 7th WeGO General Assembly in 2026. Almaty is the "
            "only candidate: members vote yes, no or abstain."
        ),
        "majority": "absolute_cast",
        "seats": 1,
        "candidates": ["Almaty"],
        "agenda_item": "5",
    },
    {
        "code": "ga-ro-abu-dhabi",
        "body": "ga",
        "kind": "resolution",
        "title": "Regional Office for the Middle East & North Africa (Abu Dhabi)",
        "text": (
            "The General Assembly establishes the WeGO Regional Office for the Middle East & "
            "North Africa in Abu Dhabi, United Arab Emirates."
        ),
        "majority": "simple",
        "seats": 0,
        "candidates": [],
        "agenda_item": "6",
    },
    {
        "code": "ga-ro-almaty",
        "body": "ga",
        "kind": "resolution",
        "title": "Regional Office for Central Asia (Almaty)",
        "text": (
            "The General Assembly establishes the WeGO Regional Office for Central Asia in "
            "Almaty, Kazakhstan."
        ),
        "majority": "simple",
        "seats": 0,
        "candidates": [],
        "agenda_item": "6",
    },
    {
        "code": "ga-ro-cuenca",
        "body": "ga",
        "kind": "resolution",
        "title": "Regional Office for Latin America (Cuenca)",
        "text": (
            "The General Assembly establishes the WeGO Regional Office for Latin America in "
            "Cuenca, Ecuador."
        ),
        "majority": "simple",
        "seats": 0,
        "candidates": [],
        "agenda_item": "6",
    },
    {
        "code": "ga-new-members",
        "body": "ga",
        "kind": "resolution",
        "title": "Admission of new members",
        "text": (f"The General Assembly confirms the admission of {_NEW_MEMBERS} as full members."),
        "majority": "two_thirds_cast",
        "seats": 0,
        "candidates": [],
        "agenda_item": "7",
    },
]
