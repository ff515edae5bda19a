"""Demo programme of the 6th WeGO General Assembly: rooms, speakers, sessions, GA agenda."""

from typing import Literal, TypedDict

SessionKind = Literal["ga_session", "excom", "ceremony", "workshop", "exhibition", "social", "tour"]


class RoomData(TypedDict):
    code: str
    name: str
    capacity: int
    checkpoint_code: str | None  # a code from assembly.demo_data.CHECKPOINTS


class SpeakerData(TypedDict):
    code: str
    name: str
    title: str
    organization: str
    bio: str


class SessionData(TypedDict):
    code: str
    title: str
    kind: SessionKind
    day: int  # offset from the assembly's first day (0 = 25 September 2023)
    start: str  # "HH:MM", Asia/Seoul
    end: str  # "HH:MM", Asia/Seoul
    room_code: str
    description: str
    speaker_codes: list[str]
    visibility: Literal["public", "members"]


class AgendaItemData(TypedDict):
    number: str
    title: str
    description: str
    motion_codes: list[str]  # codes from voting.demo_data.MOTIONS


# The report does not name the venue; the in-house rooms assume COEX (see
# assembly.demo_data.ASSEMBLY). Off-site rooms are where the tour programme takes delegates.
ROOMS: list[RoomData] = [
    {
        "code": "grand-ballroom",
        "name": "Grand Ballroom (plenary hall)",
        "capacity": 600,
        "checkpoint_code": "plenary-hall",
    },
    {
        "code": "ballroom-foyer",
        "name": "Grand Ballroom Foyer (exhibition)",
        "capacity": 300,
        "checkpoint_code": None,
    },
    {
        "code": "room-327",
        "name": "Conference Room 327",
        "capacity": 80,
        "checkpoint_code": "room-327",
    },
    {
        "code": "room-318",
        "name": "Conference Room 318",
        "capacity": 120,
        "checkpoint_code": "room-318",
    },
    {
        "code": "city-tour-bus",
        "name": "Seoul City Tour Bus (departs from the tour meeting point)",
        "capacity": 45,
        "checkpoint_code": None,
    },
    {
        "code": "sanchon",
        "name": "Sanchon restaurant, Insa-dong",
        "capacity": 40,
        "checkpoint_code": None,
    },
    {
        "code": "lg-science-park",
        "name": "LG Science Park: Innovation Gallery, Magok",
        "capacity": 60,
        "checkpoint_code": None,
    },
    {
        "code": "gwangjang-market",
        "name": "Gwangjang Market, Jongno-gu",
        "capacity": 100,
        "checkpoint_code": None,
    },
    {
        "code": "performance-hall",
        "name": "Performance hall, central Seoul (“Hosangnori”)",
        "capacity": 300,
        "checkpoint_code": None,
    },
]

# People the report names in public roles at the GA and the Seoul Smart City Prize.
SPEAKERS: list[SpeakerData] = [
    {
        "code": "oh-se-hoon",
        "name": "Oh Se-hoon",
        "title": "Mayor of Seoul; President of WeGO",
        "organization": "Seoul Metropolitan Government",
        "bio": (
            "Mayor of Seoul, WeGO's President City, which hosted the 6th General Assembly and "
            "launched the Seoul Smart City Prize with WeGO in 2023."
        ),
    },
    {
        "code": "park-jung-sook",
        "name": "Park Jung-sook",
        "title": "Secretary General",
        "organization": "WeGO Secretariat",
        "bio": (
            "Secretary General of WeGO since September 2021, leading the Secretariat in Seoul "
            "and its work on human-centred, equitable smart city development."
        ),
    },
    {
        "code": "psy",
        "name": "PSY",
        "title": "Singer-songwriter",
        "organization": "Guest speaker",
        "bio": (
            "Korean singer-songwriter, named by the report as a notable speaker at the Seoul "
            "Smart City Prize Ceremony alongside Mayor Oh."
        ),
    },
    {
        "code": "ugur-ibrahim-altay",
        "name": "Uğur İbrahim Altay",
        "title": "Mayor of Konya",
        "organization": "Konya Metropolitan Municipality",
        "bio": (
            "Mayor of Konya, Türkiye, and a recipient of the Seoul Smart City Prize in the "
            "Leadership category for promoting innovative use of technology and data."
        ),
    },
    {
        "code": "fazle-noor-taposh",
        "name": "Sheikh Fazle Noor Taposh",
        "title": "Mayor of Dhaka South City Corporation",
        "organization": "Dhaka South City Corporation",
        "bio": (
            "Mayor of Dhaka South, Bangladesh, and a recipient of the Seoul Smart City Prize in "
            "the Leadership category."
        ),
    },
]

# The report dates the programme (25-27 September) and places the Prize ceremony on day 0 and
# the General Assembly Session on day 1; clock times are demo data. The report holds the EXCOM
# 2023 meeting on 4 September, ahead of the GA; the demo places an EXCOM session on day 0 so
# EXCOM's own polls can run within the same assembly.
SESSIONS: list[SessionData] = [
    # Day 0: Monday 25 September 2023.
    {
        "code": "excom-meeting",
        "title": "Executive Committee (EXCOM) meeting",
        "kind": "excom",
        "day": 0,
        "start": "09:30",
        "end": "11:30",
        "room_code": "room-327",
        "description": (
            "The Executive Committee's cities review the GA's draft agenda, the three new "
            "Regional Offices (Abu Dhabi, Almaty, Cuenca) and the admission of new members, "
            "and recommend them to the General Assembly."
        ),
        "speaker_codes": ["oh-se-hoon", "park-jung-sook"],
        "visibility": "members",
    },
    {
        "code": "exhibition-day0",
        "title": "Future tech exhibition",
        "kind": "exhibition",
        "day": 0,
        "start": "10:00",
        "end": "18:00",
        "room_code": "ballroom-foyer",
        "description": (
            "Smart city technologies from Seoul and WeGO's corporate members, showing how the "
            "city unites heritage and innovation."
        ),
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "city-tour-bus",
        "title": "Seoul City Tour Bus",
        "kind": "tour",
        "day": 0,
        "start": "09:30",
        "end": "12:00",
        "room_code": "city-tour-bus",
        "description": "Guided tour of central Seoul by city tour bus (sign-up required).",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "opening-ceremony",
        "title": "Opening ceremony of the 6th WeGO General Assembly",
        "kind": "ceremony",
        "day": 0,
        "start": "14:00",
        "end": "14:45",
        "room_code": "grand-ballroom",
        "description": (
            "Welcome to the 200+ members and guests by the President City and the Secretariat, "
            "and an introduction to the three-day programme."
        ),
        "speaker_codes": ["oh-se-hoon", "park-jung-sook"],
        "visibility": "public",
    },
    {
        "code": "smart-city-prize",
        "title": "Seoul Smart City Prize Ceremony",
        "kind": "ceremony",
        "day": 0,
        "start": "15:00",
        "end": "17:30",
        "room_code": "grand-ballroom",
        "description": (
            "The first Seoul Smart City Prize, launched by the Seoul Metropolitan Government and "
            "WeGO: from 240 applications and 40 finalists, winners in the Tech-InnovaCity, "
            "Human-CentriCity and Leadership categories receive their awards."
        ),
        "speaker_codes": [
            "oh-se-hoon",
            "psy",
            "park-jung-sook",
            "ugur-ibrahim-altay",
            "fazle-noor-taposh",
        ],
        "visibility": "public",
    },
    {
        "code": "sanchon-dinner",
        "title": "Temple-food dinner at Sanchon",
        "kind": "tour",
        "day": 0,
        "start": "18:30",
        "end": "20:30",
        "room_code": "sanchon",
        "description": "Vegan dinner inspired by Buddhist temple cuisine (sign-up required).",
        "speaker_codes": [],
        "visibility": "public",
    },
    # Day 1: Tuesday 26 September 2023.
    {
        "code": "ga-session",
        "title": "General Assembly Session",
        "kind": "ga_session",
        "day": 1,
        "start": "09:30",
        "end": "12:30",
        "room_code": "grand-ballroom",
        "description": (
            "The statutory session of the members, in person and online: election of the "
            "President, Vice President and Executive Vice President Cities for 2023-2026, the "
            "host of the 7th General Assembly, three new Regional Offices and new members."
        ),
        "speaker_codes": ["oh-se-hoon", "park-jung-sook"],
        "visibility": "members",
    },
    {
        "code": "exhibition-day1",
        "title": "Future tech exhibition",
        "kind": "exhibition",
        "day": 1,
        "start": "10:00",
        "end": "18:00",
        "room_code": "ballroom-foyer",
        "description": "The exhibition of smart city technologies continues.",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "networking-lunch",
        "title": "Networking lunch",
        "kind": "social",
        "day": 1,
        "start": "12:45",
        "end": "13:45",
        "room_code": "grand-ballroom",
        "description": "Lunch for delegates after the General Assembly Session.",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "smart-tourism",
        "title": "Smart Tourism and LG Science Park: Innovation Gallery",
        "kind": "tour",
        "day": 1,
        "start": "13:30",
        "end": "17:30",
        "room_code": "lg-science-park",
        "description": "Smart tourism study visit and LG Science Park (sign-up required).",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "solutions-meets-cities",
        "title": "Solutions Meets Cities",
        "kind": "workshop",
        "day": 1,
        "start": "14:00",
        "end": "16:30",
        "room_code": "room-318",
        "description": (
            "Matchmaking between cities and the providers of Seoul's smart city solutions "
            "(sign-up required)."
        ),
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "gwangjang-market",
        "title": "Gwangjang Market street-food tour",
        "kind": "tour",
        "day": 1,
        "start": "18:00",
        "end": "20:30",
        "room_code": "gwangjang-market",
        "description": "Street-food evening at Gwangjang Market (sign-up required).",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "hosangnori",
        "title": "“Hosangnori” cultural performance",
        "kind": "tour",
        "day": 1,
        "start": "19:00",
        "end": "20:30",
        "room_code": "performance-hall",
        "description": "A Korean performance of love and the afterlife (sign-up required).",
        "speaker_codes": [],
        "visibility": "public",
    },
    # Day 2: Wednesday 27 September 2023.
    {
        "code": "exhibition-day2",
        "title": "Future tech exhibition",
        "kind": "exhibition",
        "day": 2,
        "start": "10:00",
        "end": "16:00",
        "room_code": "ballroom-foyer",
        "description": "Last day of the exhibition of smart city technologies.",
        "speaker_codes": [],
        "visibility": "public",
    },
    {
        "code": "regional-offices-roundtable",
        "title": "Regional Offices roundtable",
        "kind": "workshop",
        "day": 2,
        "start": "10:00",
        "end": "12:00",
        "room_code": "room-327",
        "description": (
            "The six Regional Offices (Chengdu, Beyoğlu, Abuja, Abu Dhabi, Almaty, Cuenca) "
            "present their plans for 2024 and how members in their regions can take part."
        ),
        "speaker_codes": ["park-jung-sook"],
        "visibility": "members",
    },
    {
        "code": "prize-winners-showcase",
        "title": "Seoul Smart City Prize winners' showcase",
        "kind": "workshop",
        "day": 2,
        "start": "10:00",
        "end": "12:00",
        "room_code": "room-318",
        "description": (
            "Prize-winning cities and organizations present their projects on digital "
            "inclusion and human-centred smart city development."
        ),
        "speaker_codes": ["ugur-ibrahim-altay", "fazle-noor-taposh"],
        "visibility": "public",
    },
    {
        "code": "closing-ceremony",
        "title": "Closing ceremony and handover to Almaty",
        "kind": "ceremony",
        "day": 2,
        "start": "14:00",
        "end": "15:00",
        "room_code": "grand-ballroom",
        "description": (
            "Closing of the 6th General Assembly; Almaty, host of EXCOM 2024 and of the 7th "
            "General Assembly in 2026, is welcomed as Executive Vice President City."
        ),
        "speaker_codes": ["oh-se-hoon", "park-jung-sook"],
        "visibility": "public",
    },
    {
        "code": "farewell-dinner",
        "title": "Farewell networking dinner",
        "kind": "social",
        "day": 2,
        "start": "18:00",
        "end": "20:30",
        "room_code": "grand-ballroom",
        "description": "Dinner and networking for delegates, partners and guests.",
        "speaker_codes": [],
        "visibility": "public",
    },
]

# Agenda of the General Assembly Session (session "ga-session"), after the report's highlights.
AGENDA_ITEMS: list[AgendaItemData] = [
    {
        "number": "1",
        "title": "Opening of the session and quorum",
        "description": (
            "The chair opens the session and reports the voting members present in the hall "
            "and online against the quorum."
        ),
        "motion_codes": [],
    },
    {
        "number": "2",
        "title": "Adoption of the agenda",
        "description": "Adoption of the agenda recommended by the Executive Committee.",
        "motion_codes": ["ga-adopt-agenda"],
    },
    {
        "number": "3",
        "title": "President City 2023-2026",
        "description": "Approval of Seoul to serve as WeGO's President City for 2023-2026.",
        "motion_codes": ["ga-president-city"],
    },
    {
        "number": "4",
        "title": "Vice President Cities 2023-2026",
        "description": "Election of two Vice President Cities for the 2023-2026 term.",
        "motion_codes": ["ga-vice-president-cities"],
    },
    {
        "number": "5",
        "title": "Executive Vice President City and host of the 7th General Assembly",
        "description": (
            "Election of the Executive Vice President City for 2023-2026, which hosts EXCOM "
            "2024 and the 7th WeGO General Assembly in 2026."
        ),
        "motion_codes": ["ga-executive-vice-president-city"],
    },
    {
        "number": "6",
        "title": "Regional Offices",
        "description": (
            "Official establishment of three new Regional Offices: Middle East & North Africa "
            "(Abu Dhabi), Central Asia (Almaty) and Latin America (Cuenca)."
        ),
        "motion_codes": ["ga-ro-abu-dhabi", "ga-ro-almaty", "ga-ro-cuenca"],
    },
    {
        "number": "7",
        "title": "Admission of new members",
        "description": "Confirmation of the new members welcomed by the Executive Committee.",
        "motion_codes": ["ga-new-members"],
    },
    {
        "number": "8",
        "title": "Closing",
        "description": (
            "Announcements, expressions of interest in joining WeGO, and closing of the session."
        ),
        "motion_codes": [],
    },
]
