"""Demo data for the 6th WeGO General Assembly, taken from the WeGO 2023 annual report."""

from datetime import date
from typing import Literal, NamedTuple, TypedDict

MemberKindCode = Literal["local_government", "institution", "corporation"]
RegionCode = Literal["africa", "europe", "mena", "americas", "asia_pacific"]
MembershipTypeCode = Literal["full", "associate"]


class Member(NamedTuple):
    name: str
    kind: MemberKindCode
    country: str
    region: RegionCode
    population: int | None
    membership_type: MembershipTypeCode
    dues_paid: bool


class SecretariatContact(TypedDict):
    address: str
    telephone: str
    fax: str
    email: str
    website: str


class AssemblyData(TypedDict):
    slug: str
    name: str
    organisation: str
    city: str
    country: str
    time_zone: str
    start_date: date
    end_date: date
    venue: str
    venue_address: str
    contact_email: str
    secretariat: SecretariatContact


class CheckpointData(TypedDict):
    code: str
    name: str
    kind: Literal["entrance", "plenary", "tour", "room"]
    is_voting: bool


class StaffData(TypedDict):
    username: str
    full_name: str
    role: Literal["secretariat", "desk", "chair"]


ASSEMBLY: AssemblyData = {
    "slug": "wego-ga-2023",
    "name": "6th WeGO General Assembly",
    "organisation": "WeGO — World Smart Sustainable Cities Organization",
    "city": "Seoul",
    "country": "Korea",
    "time_zone": "Asia/Seoul",
    "start_date": date(2023, 9, 25),
    "end_date": date(2023, 9, 27),
    # Assumption: the report does not name the venue. COEX is a large, real Seoul convention
    # centre with a Grand Ballroom and numbered conference rooms, which the demo rooms use.
    "venue": "COEX Convention & Exhibition Center",
    "venue_address": "513 Yeongdong-daero, Gangnam-gu, Seoul 06164, Republic of Korea",
    "contact_email": "secretariat@we-gov.org",
    # From the back cover of the report.
    "secretariat": {
        "address": (
            "7F Seoul Global Center, 38 Jongro, Jongno-gu, Seoul, Republic of Korea, 03188"
        ),
        "telephone": "+82-2-720-2935",
        "fax": "+82-2-720-2939",
        "email": "secretariat@we-gov.org",
        "website": "https://we-gov.org/",
    },
}


def _lg(
    name: str,
    country: str,
    region: RegionCode,
    population: int,
    *,
    dues_paid: bool = True,
    associate: bool = False,
) -> Member:
    membership_type: MembershipTypeCode = "associate" if associate else "full"
    return Member(name, "local_government", country, region, population, membership_type, dues_paid)


def _institution(name: str, country: str, region: RegionCode) -> Member:
    return Member(name, "institution", country, region, None, "full", True)


def _corporation(name: str, country: str, region: RegionCode) -> Member:
    return Member(name, "corporation", country, region, None, "full", True)


# Roster: the report's "Member Overview" (202 members as of December 2023) plus the new full
# members. Where the overview names fewer members than its own counts, the remaining places are
# filled with real cities and companies, preferring ones the report names elsewhere (award
# winners, training participants, and the six local governments that expressed interest in
# joining at the GA, which could have joined by December). Those are marked
# "# not named in the report".
#
# Populations are real approximate figures (the report's own figure where it gives one).
#
# dues_paid=False on twelve local governments, spread over the regions, is demo data, not from
# the report: it makes the GA electorate (full local governments with dues paid) smaller than
# the 164 local governments. Entebbe is an associate member (also demo data) for the same reason.
MEMBERS: list[Member] = [
    # Local governments, Africa (27: 20 named in the report, 7 filled).
    _lg("Andek", "Cameroon", "africa", 35_000, dues_paid=False),
    _lg("Batibo", "Cameroon", "africa", 110_000),
    _lg("Tubah", "Cameroon", "africa", 90_000),
    _lg("Addis Ababa", "Ethiopia", "africa", 5_460_000),
    _lg("Accra", "Ghana", "africa", 2_560_000),
    _lg("Nairobi", "Kenya", "africa", 4_400_000),
    _lg("Maputo", "Mozambique", "africa", 1_120_000),
    _lg("Abuja", "Nigeria", "africa", 3_840_000),
    _lg("Calabar", "Nigeria", "africa", 570_000),
    _lg("Jalingo", "Nigeria", "africa", 200_000, dues_paid=False),
    _lg("Kaduna State", "Nigeria", "africa", 9_000_000),
    _lg("Sokoto State", "Nigeria", "africa", 6_400_000),
    _lg("Kigali", "Rwanda", "africa", 1_750_000),
    _lg("Dakar", "Senegal", "africa", 1_440_000),
    _lg("Tshwane", "South Africa", "africa", 4_040_000),
    _lg("Dar es Salaam", "Tanzania", "africa", 5_380_000),
    _lg("Kampala", "Uganda", "africa", 1_680_000),
    _lg("Kasama", "Zambia", "africa", 250_000),
    _lg("Lunte", "Zambia", "africa", 70_000, dues_paid=False),
    _lg("Harare", "Zimbabwe", "africa", 1_850_000),
    _lg("Lusaka", "Zambia", "africa", 3_080_000),  # not named in the report
    _lg("Nansana", "Uganda", "africa", 530_000),  # not named in the report
    _lg("Entebbe", "Uganda", "africa", 300_000, associate=True),  # not named in the report
    _lg("Lagos", "Nigeria", "africa", 15_400_000),  # not named in the report
    _lg("Mombasa", "Kenya", "africa", 1_210_000),  # not named in the report
    _lg("Kumasi", "Ghana", "africa", 3_500_000),  # not named in the report
    _lg("Bamenda", "Cameroon", "africa", 500_000),  # not named in the report
    # Local governments, Europe (16, all named in the report).
    _lg("Minsk", "Belarus", "europe", 1_990_000),
    _lg("Brussels", "Belgium", "europe", 1_220_000),
    _lg("Paris", "France", "europe", 2_100_000),
    _lg("Berlin", "Germany", "europe", 3_850_000),
    _lg("Frankfurt", "Germany", "europe", 770_000),
    _lg("Rotterdam", "Netherlands", "europe", 655_000),
    _lg("Bucharest", "Romania", "europe", 1_720_000),
    _lg("Magas", "Russia", "europe", 15_000, dues_paid=False),
    _lg("Moscow", "Russia", "europe", 13_100_000),
    _lg("Vladivostok", "Russia", "europe", 600_000),
    _lg("Ankara", "Türkiye", "europe", 5_800_000),
    _lg("Antakya", "Türkiye", "europe", 400_000),
    _lg("Beyoğlu", "Türkiye", "europe", 220_000),
    _lg("Gaziantep", "Türkiye", "europe", 2_150_000),
    _lg("Malatya", "Türkiye", "europe", 810_000),
    _lg("Muğla", "Türkiye", "europe", 1_050_000),
    # Local governments, Middle East & North Africa (29: 14 named in the report, 15 filled).
    _lg("Isfahan", "Iran", "mena", 2_220_000),
    _lg("Shiraz", "Iran", "mena", 1_870_000),
    _lg("Tabriz", "Iran", "mena", 1_720_000),
    _lg("Tehran", "Iran", "mena", 9_400_000),
    _lg("Erbil", "Iraq", "mena", 1_600_000),
    _lg("Rabat", "Morocco", "mena", 580_000),
    _lg("Muscat", "Oman", "mena", 1_500_000),
    _lg("Hebron", "Palestine", "mena", 220_000),
    _lg("Ramallah", "Palestine", "mena", 40_000),
    _lg("Khartoum Locality", "Sudan", "mena", 1_400_000, dues_paid=False),
    _lg("La Marsa", "Tunisia", "mena", 100_000),
    _lg("Menzel Jemil", "Tunisia", "mena", 38_000, dues_paid=False),
    _lg("Tunis", "Tunisia", "mena", 640_000),
    _lg("Abu Dhabi", "United Arab Emirates", "mena", 1_570_000),
    _lg("Madinah", "Saudi Arabia", "mena", 1_480_000),  # not named in the report
    _lg("Riyadh", "Saudi Arabia", "mena", 7_000_000),  # not named in the report
    _lg("Dubai", "United Arab Emirates", "mena", 3_600_000),  # not named in the report
    _lg("Sharjah", "United Arab Emirates", "mena", 1_800_000),  # not named in the report
    _lg("Amman", "Jordan", "mena", 4_000_000),  # not named in the report
    _lg("Cairo", "Egypt", "mena", 10_000_000),  # not named in the report
    _lg("Alexandria", "Egypt", "mena", 5_400_000),  # not named in the report
    _lg("Casablanca", "Morocco", "mena", 3_220_000),  # not named in the report
    _lg("Sfax", "Tunisia", "mena", 330_000),  # not named in the report
    _lg("Sousse", "Tunisia", "mena", 270_000),  # not named in the report
    _lg("Mashhad", "Iran", "mena", 3_370_000),  # not named in the report
    _lg("Karaj", "Iran", "mena", 1_970_000),  # not named in the report
    _lg("Sulaymaniyah", "Iraq", "mena", 880_000),  # not named in the report
    _lg("Nablus", "Palestine", "mena", 160_000),  # not named in the report
    _lg("Doha", "Qatar", "mena", 1_200_000),  # not named in the report
    # Local governments, Americas (15, all named in the report).
    _lg("San Antonio de Areco", "Argentina", "americas", 24_000),
    _lg("Porto Alegre", "Brazil", "americas", 1_330_000),
    _lg("São Paulo", "Brazil", "americas", 11_450_000),
    _lg("Buenos Aires", "Costa Rica", "americas", 50_000),
    _lg("Villa Tapia", "Dominican Republic", "americas", 40_000, dues_paid=False),
    _lg("Cuenca", "Ecuador", "americas", 600_000),
    _lg("Coatzacoalcos", "Mexico", "americas", 310_000),
    _lg("Mexico City", "Mexico", "americas", 9_210_000),
    _lg("Asunción", "Paraguay", "americas", 460_000),
    _lg("Cusco", "Peru", "americas", 430_000),
    _lg("Lima", "Peru", "americas", 10_000_000),
    _lg("Urubamba", "Peru", "americas", 21_000, dues_paid=False),
    _lg("Pittsburgh", "United States", "americas", 300_000),
    _lg("San Francisco", "United States", "americas", 810_000),
    _lg("Caracas", "Venezuela", "americas", 2_000_000),
    # Local governments, Asia-Pacific (77: 74 named in the report, 3 filled).
    _lg("Ryde", "Australia", "asia_pacific", 131_271),
    _lg("Baku", "Azerbaijan", "asia_pacific", 2_300_000),
    _lg("Dhaka North", "Bangladesh", "asia_pacific", 5_980_000),
    _lg("Dhaka South", "Bangladesh", "asia_pacific", 4_300_000),
    _lg("Rajshahi City", "Bangladesh", "asia_pacific", 550_000),
    _lg("Chengdu", "China", "asia_pacific", 21_400_000),
    _lg("Dujiangyan", "China", "asia_pacific", 710_000),
    _lg("Hong Kong SAR", "China", "asia_pacific", 7_500_000),
    _lg("Ningbo", "China", "asia_pacific", 9_620_000),
    _lg("Zhejiang Province", "China", "asia_pacific", 66_000_000),
    _lg("Suva", "Fiji", "asia_pacific", 93_000),
    _lg("Agra", "India", "asia_pacific", 1_750_000),
    _lg("Bandung", "Indonesia", "asia_pacific", 2_500_000),
    _lg("Batam", "Indonesia", "asia_pacific", 1_260_000),
    _lg("Baubau", "Indonesia", "asia_pacific", 160_000, dues_paid=False),
    _lg("Jakarta", "Indonesia", "asia_pacific", 10_670_000),
    _lg("Kepulauan Riau", "Indonesia", "asia_pacific", 2_150_000),
    _lg("Serang Regency", "Indonesia", "asia_pacific", 1_700_000),
    _lg("Saga Prefecture", "Japan", "asia_pacific", 800_000),
    _lg("Almaty", "Kazakhstan", "asia_pacific", 2_230_000),
    _lg("Astana", "Kazakhstan", "asia_pacific", 1_350_000),
    # The report prints Bishkek's population as "894,6000"; this is a current estimate.
    _lg("Bishkek", "Kyrgyzstan", "asia_pacific", 1_145_000),
    _lg("Anyang", "Korea", "asia_pacific", 550_000),
    _lg("Gimpo", "Korea", "asia_pacific", 480_000),
    _lg("Goyang", "Korea", "asia_pacific", 1_070_000),
    _lg("Jeju", "Korea", "asia_pacific", 670_000),
    _lg("Sejong", "Korea", "asia_pacific", 390_000),
    _lg("Seongnam", "Korea", "asia_pacific", 920_000),
    _lg("Seoul", "Korea", "asia_pacific", 9_400_000),
    _lg("Penang Island", "Malaysia", "asia_pacific", 790_000),
    _lg("Seberang Perai", "Malaysia", "asia_pacific", 950_000),
    _lg("Altai", "Mongolia", "asia_pacific", 16_000, dues_paid=False),
    _lg("Choibalsan", "Mongolia", "asia_pacific", 45_000),
    _lg("Erdenet", "Mongolia", "asia_pacific", 100_000),
    _lg("Sainshand", "Mongolia", "asia_pacific", 28_000),
    _lg("Ulaanbaatar", "Mongolia", "asia_pacific", 1_690_000),
    _lg("Belbari", "Nepal", "asia_pacific", 100_000),
    _lg("Bhadrapur", "Nepal", "asia_pacific", 70_000),
    _lg("Bharatpur", "Nepal", "asia_pacific", 370_000),
    _lg("Birgunj", "Nepal", "asia_pacific", 270_000),
    _lg("Dharan", "Nepal", "asia_pacific", 170_000),
    _lg("Dhulikhel", "Nepal", "asia_pacific", 33_000),
    _lg("Itahari", "Nepal", "asia_pacific", 200_000),
    _lg("Kanakai", "Nepal", "asia_pacific", 40_000),
    _lg("Kathmandu", "Nepal", "asia_pacific", 860_000),
    _lg("Patharishanishchare", "Nepal", "asia_pacific", 60_000),
    _lg("Pokhara", "Nepal", "asia_pacific", 520_000),
    _lg("Ramgram", "Nepal", "asia_pacific", 60_000),
    _lg("Ratuwamai", "Nepal", "asia_pacific", 50_000, dues_paid=False),
    _lg("Shivasatakshi", "Nepal", "asia_pacific", 60_000),
    _lg("Sunawarshi", "Nepal", "asia_pacific", 70_000),
    _lg("Sundarharaicha", "Nepal", "asia_pacific", 110_000),
    _lg("Sunwal", "Nepal", "asia_pacific", 75_000),
    _lg("Tarakeshwar", "Nepal", "asia_pacific", 150_000),
    _lg("Wellington", "New Zealand", "asia_pacific", 215_000),
    _lg("Islamabad", "Pakistan", "asia_pacific", 1_200_000),
    _lg("Peshawar", "Pakistan", "asia_pacific", 2_000_000),
    _lg("Baguio", "Philippines", "asia_pacific", 370_000),
    _lg("Cauayan", "Philippines", "asia_pacific", 140_000),
    _lg("La Union", "Philippines", "asia_pacific", 820_000),
    _lg("Makati", "Philippines", "asia_pacific", 630_000),
    _lg("Manila", "Philippines", "asia_pacific", 1_850_000),
    _lg("Quezon City", "Philippines", "asia_pacific", 2_960_000),
    _lg("San Fernando La Union", "Philippines", "asia_pacific", 125_000),
    _lg("Dambulla", "Sri Lanka", "asia_pacific", 72_000),
    _lg("Galle", "Sri Lanka", "asia_pacific", 100_000),
    _lg("Matale", "Sri Lanka", "asia_pacific", 36_000, dues_paid=False),
    _lg("Sri Jayawardenapura Kotte", "Sri Lanka", "asia_pacific", 115_000),
    _lg("Bangkok", "Thailand", "asia_pacific", 5_500_000),
    _lg("Tashkent", "Uzbekistan", "asia_pacific", 2_950_000),
    _lg("Chirchik", "Uzbekistan", "asia_pacific", 162_800),
    _lg("Da Nang", "Vietnam", "asia_pacific", 1_220_000),
    _lg("Ha Noi", "Vietnam", "asia_pacific", 8_400_000),
    _lg("Thua Thien Hue", "Vietnam", "asia_pacific", 1_160_000),
    _lg("Kaohsiung", "Taiwan", "asia_pacific", 2_740_000),  # not named in the report
    _lg("Turkestan Region", "Kazakhstan", "asia_pacific", 2_100_000),  # not named in the report
    _lg("Damak", "Nepal", "asia_pacific", 100_000),  # not named in the report
    # Institutions (18, all named in the report).
    _institution("Engineering School at Kabul University", "Afghanistan", "asia_pacific"),
    _institution("Botswana Communications Regulatory Authority", "Botswana", "africa"),
    _institution("FIWARE Foundation", "Germany", "europe"),
    _institution("National Information Technology Agency (NITA)", "Ghana", "africa"),
    _institution("Enactus IIT Delhi", "India", "asia_pacific"),
    _institution("Korea Green Foundation", "Korea", "asia_pacific"),
    _institution("Korea Internet and Security Agency (KISA)", "Korea", "asia_pacific"),
    _institution("Seoul Digital Foundation (SDF)", "Korea", "asia_pacific"),
    _institution("Seoul Housing & Communities Corporation (SH)", "Korea", "asia_pacific"),
    _institution("Seoul Tourism Organization (STO)", "Korea", "asia_pacific"),
    _institution("Healthy City Network of Mongolia (HCNM)", "Mongolia", "asia_pacific"),
    _institution("African Smart Cities Innovation Foundation (ASCIF)", "Nigeria", "africa"),
    _institution("Digital Collaborative Platform", "Nigeria", "africa"),
    _institution("National Information Technology Development Agency (NITDA)", "Nigeria", "africa"),
    _institution("National Information Center (NIC)", "Sudan", "mena"),
    _institution("Solar Impulse Foundation", "Switzerland", "europe"),
    _institution("Bizerte 2050", "Tunisia", "mena"),
    _institution("National Information Technology Authority (NITA-U)", "Uganda", "africa"),
    # Corporations (20: 9 named as members in the report, 11 filled). The report gives no
    # country for Dwelling, Youngshin Components, Hancor Group and Favors; Korea is assumed.
    _corporation("Vueron", "Korea", "asia_pacific"),
    _corporation("Laboratory of Software Embedded Engineering (LASEE)", "Korea", "asia_pacific"),
    _corporation("Woorigansan Systems", "Korea", "asia_pacific"),
    _corporation("Smart Space Another Ground (SSAG)", "Korea", "asia_pacific"),
    _corporation("Dassault Systèmes Korea", "Korea", "asia_pacific"),
    _corporation("Dwelling", "Korea", "asia_pacific"),
    _corporation("Youngshin Components", "Korea", "asia_pacific"),
    _corporation("Hancor Group", "Korea", "asia_pacific"),
    _corporation("Favors", "Korea", "asia_pacific"),
    _corporation("KT Corporation", "Korea", "asia_pacific"),  # not named in the report
    _corporation("VAIV Company", "Korea", "asia_pacific"),  # not named in the report
    _corporation("Unione Communications", "Korea", "asia_pacific"),  # not named in the report
    _corporation("LG CNS", "Korea", "asia_pacific"),  # not named in the report
    _corporation("Samsung SDS", "Korea", "asia_pacific"),  # not named in the report
    _corporation("Naver Cloud", "Korea", "asia_pacific"),  # not named in the report
    _corporation("Hancom", "Korea", "asia_pacific"),  # not named in the report
    _corporation("Esri Korea", "Korea", "asia_pacific"),  # not named in the report
    _corporation("One Smile Foundation", "Japan", "asia_pacific"),  # not named in the report
    _corporation("Masdar", "United Arab Emirates", "mena"),  # not named in the report
    _corporation("Cisco Systems", "United States", "americas"),  # not named in the report
]

# The report says 22 city representatives joined the 2023 EXCOM meeting but does not list them.
# This list holds the President City, the Vice and Executive Vice President Cities, the six
# Regional Office cities and thirteen plausible others (demo data).
EXCOM_MEMBER_CITIES: list[str] = [
    "Seoul",  # President City
    "Kampala",  # Vice President City
    "São Paulo",  # Vice President City
    "Almaty",  # Executive Vice President City; Regional Office, Central Asia
    "Chengdu",  # Regional Office, East Asia
    "Beyoğlu",  # Regional Office, Mediterranean
    "Abuja",  # Regional Office, Africa
    "Abu Dhabi",  # Regional Office, Middle East & North Africa
    "Cuenca",  # Regional Office, Latin America
    "Addis Ababa",
    "Nairobi",
    "Ankara",
    "Gaziantep",
    "Muscat",
    "Tabriz",
    "Lima",
    "Mexico City",
    "Ulaanbaatar",
    "Makati",
    "Seberang Perai",
    "Dhaka South",
    "Baku",
]

# Codes are slugs; rooms in sessions/demo_data.py link to them.
CHECKPOINTS: list[CheckpointData] = [
    {
        "code": "main-entrance",
        "name": "Main entrance & registration desk",
        "kind": "entrance",
        "is_voting": False,
    },
    {
        "code": "plenary-hall",
        "name": "Plenary hall (Grand Ballroom)",
        "kind": "plenary",
        "is_voting": True,
    },
    {
        "code": "tour-meeting-point",
        "name": "Tour meeting point (north gate bus bay)",
        "kind": "tour",
        "is_voting": False,
    },
    {
        "code": "room-327",
        "name": "Conference Room 327",
        "kind": "room",
        "is_voting": False,
    },
    {
        "code": "room-318",
        "name": "Conference Room 318",
        "kind": "room",
        "is_voting": False,
    },
]

# Generic names, not people from the report.
STAFF: list[StaffData] = [
    {"username": "secretariat", "full_name": "Han Seo-yeon", "role": "secretariat"},
    {"username": "desk1", "full_name": "Jung Da-eun", "role": "desk"},
    {"username": "desk2", "full_name": "Daniel Mensah", "role": "desk"},
    {"username": "chair", "full_name": "GA Chair", "role": "chair"},
]
