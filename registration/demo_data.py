"""Demo tour programme of the 6th WeGO General Assembly (Seoul, 25-26 September 2023)."""

from typing import TypedDict


class TourData(TypedDict):
    code: str
    title: str
    day: int  # offset from the assembly's first day (0 = 25 September 2023)
    start: str  # "HH:MM", Asia/Seoul
    end: str  # "HH:MM", Asia/Seoul
    meeting_point: str
    capacity: int
    description: str


# Every activity of the report's tour programme ("6th WeGO General Assembly Tour Program,
# Sep 25-26"). The report gives neither times nor group sizes: those are demo data.
TOURS: list[TourData] = [
    {
        "code": "city-tour-bus",
        "title": "Seoul City Tour Bus",
        "day": 0,
        "start": "09:30",
        "end": "12:00",
        "meeting_point": "Tour meeting point (north gate bus bay)",
        "capacity": 45,
        "description": (
            "A guided loop of central Seoul on the city tour bus, passing royal palaces, "
            "Namsan and the Han River. It shows how the capital keeps its heritage alive "
            "alongside a modern, connected city, and returns before the opening ceremony."
        ),
    },
    {
        "code": "sanchon-dinner",
        "title": "Temple-food dinner at Sanchon",
        "day": 0,
        "start": "18:30",
        "end": "20:30",
        "meeting_point": "Tour meeting point (north gate bus bay)",
        "capacity": 12,
        "description": (
            "A vegan dinner at Sanchon in Insa-dong, whose cooking follows the Buddhist "
            "principle of “do no harm”. Traditional dishes show the Korean idea of eating in "
            "harmony with nature; seating in the private room is limited."
        ),
    },
    {
        "code": "smart-tourism",
        "title": "Smart Tourism and LG Science Park: Innovation Gallery",
        "day": 1,
        "start": "13:30",
        "end": "17:30",
        "meeting_point": "Tour meeting point (north gate bus bay)",
        "capacity": 25,
        "description": (
            "A study visit on how Seoul uses digital services to welcome and guide visitors, "
            "with the people behind its smart tourism work. It ends with a special exhibition "
            "visit to the Innovation Gallery at LG Science Park in Magok."
        ),
    },
    {
        "code": "solutions-meets-cities",
        "title": "Solutions Meets Cities",
        "day": 1,
        "start": "14:00",
        "end": "16:30",
        "meeting_point": "Conference Room 318",
        "capacity": 30,
        "description": (
            "A matchmaking session where delegates meet the minds behind Seoul's smart city "
            "solutions and WeGO's corporate members. Short pitches are followed by small-group "
            "talks on how the solutions could work in the delegates' own cities."
        ),
    },
    {
        "code": "gwangjang-market",
        "title": "Gwangjang Market street-food tour",
        "day": 1,
        "start": "18:00",
        "end": "20:30",
        "meeting_point": "Tour meeting point (north gate bus bay)",
        "capacity": 20,
        "description": (
            "An evening walk through Gwangjang Market, one of Seoul's oldest traditional "
            "markets, tasting street food from its stalls. A lively, informal way to meet "
            "fellow delegates after the General Assembly Session."
        ),
    },
    {
        "code": "hosangnori",
        "title": "“Hosangnori” cultural performance",
        "day": 1,
        "start": "19:00",
        "end": "20:30",
        "meeting_point": "Tour meeting point (north gate bus bay)",
        "capacity": 40,
        "description": (
            "An evening at “Hosangnori”, a Korean cultural performance about love and the "
            "afterlife. Music, dance and ritual tell the story; transport from the venue is "
            "provided."
        ),
    },
]
