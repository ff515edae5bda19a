"""Demo registrations for the WeGO assembly: ~120 people, accreditations, invitations, tours.

Names are generated from per-region pools (demo data, not from the report); the first five are
fixed people to log in as, in several scripts. Running it twice changes nothing.
"""

import itertools
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from assembly.demo import upsert
from assembly.models import Assembly, MemberKind, MemberOrganization
from registration.demo_data import TOURS
from registration.errors import AlreadySignedUp, TourClash
from registration.models import (
    AccreditationKind,
    Attendance,
    Delegate,
    DelegateRole,
    Invitation,
    RegistrationSettings,
    RegistrationSource,
    RegistrationState,
    Tour,
    TourSignup,
)
from registration.services import accredit
from registration.tours import sign_up

User = get_user_model()

# (member, badge name, title, email, role, attendance)
DEMO_DELEGATES = [
    (
        "Seoul",
        "김서연 Kim Seo-yeon",
        "Director-General, Digital Policy",
        "kim.seoyeon@seoul.example",
        DelegateRole.VOTING_DELEGATE,
        Attendance.IN_PERSON,
    ),
    (
        "Kampala",
        "Grace Namukasa",
        "Deputy Lord Mayor",
        "grace.namukasa@kampala.example",
        DelegateRole.VOTING_DELEGATE,
        Attendance.IN_PERSON,
    ),
    (
        "Almaty",
        "Айгерим Сейткали",
        "Head of Digitalization Office",
        "aigerim.seitkali@almaty.example",
        DelegateRole.VOTING_DELEGATE,
        Attendance.IN_PERSON,
    ),
    (
        "Abu Dhabi",
        "فاطمة الهاشمي",
        "Smart City Programme Lead",
        "fatima.alhashimi@abudhabi.example",
        DelegateRole.VOTING_DELEGATE,
        Attendance.ONLINE,
    ),
    (
        "São Paulo",
        "João Araújo",
        "Secretary of Innovation",
        "joao.araujo@saopaulo.example",
        DelegateRole.VOTING_DELEGATE,
        Attendance.IN_PERSON,
    ),
]


def delegate_user(email: str, full_name: str) -> object:
    user, _created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": full_name[:150]}
    )
    if user.has_usable_password():
        user.set_unusable_password()  # delegates log in with magic links only
        user.save(update_fields=["password"])
    return user


# Given and family names by region, romanized; a few in their own script (demo data).
NAMES = {
    "africa": (
        ["Amina", "Kwame", "Chipo", "Tendai", "Fatou", "Sipho", "Wanjiru", "Obinna", "Nia"],
        ["Mensah", "Okafor", "Mwangi", "Diallo", "Banda", "Nkosi", "Achieng", "Kamara", "Tesfaye"],
    ),
    "europe": (
        ["Elena", "Marek", "Sofia", "Lukas", "Inès", "Jonas", "Zeynep", "Mateo", "Ingrid"],
        ["Novak", "García", "Müller", "Rossi", "Dubois", "Kowalska", "Yılmaz", "Petrov", "Berg"],  # noqa: RUF001
    ),
    "mena": (
        ["Layla", "Omar", "Yasmin", "Karim", "Nour", "Tariq", "Salma", "Hassan", "Rania"],
        ["Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Farouk", "Aziz", "Rahimi", "Bakr"],
    ),
    "americas": (
        ["Camila", "Diego", "Valentina", "Andrés", "Lucía", "Rafael", "Beatriz", "Tomás", "Ana"],
        ["Silva", "Pérez", "Gómez", "Santos", "Rodríguez", "Oliveira", "Torres", "Costa", "Ruiz"],
    ),
    "asia_pacific": (
        ["Min-jun", "Aiko", "Wei", "Priya", "Thanh", "Siti", "Ji-woo", "Arjun", "Mei"],
        ["Park", "Tanaka", "Chen", "Sharma", "Nguyen", "Rahman", "Lee", "Santos", "Choi"],
    ),
}
OWN_SCRIPT = {
    "Busan": "박지훈 Park Ji-hoon",
    "Ulaanbaatar": "Батбаяр Болд",
    "Tehran": "مریم احمدی",
    "Moscow": "Ольга Смирнова",
    "Taipei": "林怡君 Lin Yi-chun",
    "Bangkok": "สมชาย ใจดี Somchai Jaidee",
}
TITLES = [
    "Mayor",
    "Deputy Mayor",
    "Chief Information Officer",
    "Director, Smart City Office",
    "Head of International Relations",
    "Senior Policy Adviser",
    "Digital Transformation Lead",
]
GUESTS = [
    ("Hana Kobayashi", "Nikkei Asia", DelegateRole.PRESS, "Japan"),
    ("Daniel Osei", "Smart Cities Weekly", DelegateRole.PRESS, "Ghana"),
    ("이민지 Lee Min-ji", "Yonhap News", DelegateRole.PRESS, "Korea"),
    ("Carla Mendes", "UN-Habitat", DelegateRole.OBSERVER, "Kenya"),
    ("Pieter de Vries", "World Bank", DelegateRole.OBSERVER, "Netherlands"),
    ("Anjali Rao", "Asian Development Bank", DelegateRole.OBSERVER, "Philippines"),
    ("Mohammed Al-Rashid", "ITU", DelegateRole.OBSERVER, "Switzerland"),
    ("Julia Schmidt", "ICLEI", DelegateRole.GUEST, "Germany"),
    ("Kenji Watanabe", "Tokyo Metropolitan University", DelegateRole.GUEST, "Japan"),
    ("Fernanda Lima", "Inter-American Development Bank", DelegateRole.GUEST, "United States"),
    ("Ahmed Benali", "Partner: Smart Africa Alliance", DelegateRole.GUEST, "Rwanda"),
    ("Sara Lindqvist", "Partner: Nordic Smart City Network", DelegateRole.GUEST, "Sweden"),
    ("Oleksandr Kravets", "Observer city: Lviv", DelegateRole.OBSERVER, "Ukraine"),
    ("Nadia Haidari", "Observer city: Herat", DelegateRole.OBSERVER, "Afghanistan"),
]
STAFF_PEOPLE = [
    ("Yoon Ji-ae", "WeGO Secretariat"),
    ("Bae Soo-min", "WeGO Secretariat"),
    ("Tom Harrington", "Seoul Metropolitan Government"),
]
VOTING_MEMBERS_WANTED = 72  # besides the five fixed ones
ALTERNATE_EVERY = 4  # every fourth voting member also sends an alternate
ONLINE_EVERY = 7
NOT_YET_APPROVED = {  # index among the generated voting members -> state (demo data)
    3: RegistrationState.SUBMITTED,
    11: RegistrationState.SUBMITTED,
    19: RegistrationState.SUBMITTED,
    27: RegistrationState.SUBMITTED,
    35: RegistrationState.SUBMITTED,
    43: RegistrationState.WAITLISTED,
    51: RegistrationState.WAITLISTED,
    59: RegistrationState.REJECTED,
}
GUEST_STATES = [RegistrationState.APPROVED] * 10 + [
    RegistrationState.SUBMITTED,
    RegistrationState.SUBMITTED,
    RegistrationState.WAITLISTED,
    RegistrationState.REJECTED,
]
# How many approved in-person delegates each tour receives (demo data): the temple-food dinner
# is full with a waiting list; the others are part full.
TOUR_DEMAND = {
    "city-tour-bus": 21,
    "sanchon-dinner": 16,
    "smart-tourism": 14,
    "solutions-meets-cities": 9,
    "gwangjang-market": 11,
    "hosangnori": 17,
}


_counters = {region: itertools.count() for region in NAMES}


def next_name(region: str) -> str:
    """The region's next generated name; the first 81 of a region are all different."""
    given, family = NAMES[region]
    n = next(_counters[region])
    return f"{given[n % 9]} {family[(n // 9 + n * 4 + 1) % 9]}"


def email_for(name: str, organization: str) -> str:
    local = slugify(name).replace("-", ".") or "delegate"
    return f"{local}@{slugify(organization) or 'guest'}.example"


def save_delegate(
    assembly: Assembly,
    *,
    email: str,
    name: str,
    member: MemberOrganization | None,
    **values: object,
) -> Delegate:
    values.setdefault("attendance", Attendance.IN_PERSON)
    values.setdefault("state", RegistrationState.APPROVED)
    values.setdefault("source", RegistrationSource.INVITATION)
    if member is not None:
        values.setdefault("country", member.country)
    return upsert(
        Delegate,
        {"assembly": assembly, "email": email},
        {"member": member, "user": delegate_user(email, name), "full_name": name, **values},
    )


def load_fixed(assembly: Assembly) -> list[Delegate]:
    delegates = []
    for member_name, name, title, email, role, attendance in DEMO_DELEGATES:
        member = MemberOrganization.objects.get(name=member_name)
        delegates.append(
            save_delegate(
                assembly,
                email=email,
                name=name,
                member=member,
                title=title,
                role=role,
                attendance=attendance,
            )
        )
    return delegates


def load_members_delegates(assembly: Assembly) -> list[Delegate]:
    fixed = {row[0] for row in DEMO_DELEGATES}
    candidates = (
        MemberOrganization.objects.filter(assembly.voting_member_filter())
        .exclude(name__in=fixed)
        .order_by("-population", "name")[:VOTING_MEMBERS_WANTED]
    )
    delegates = []
    for index, member in enumerate(candidates):
        name = OWN_SCRIPT.get(member.name) or next_name(member.region)
        state = NOT_YET_APPROVED.get(index, RegistrationState.APPROVED)
        online = index % ONLINE_EVERY == 6
        delegates.append(
            save_delegate(
                assembly,
                email=email_for(name, member.name),
                name=name,
                member=member,
                title=TITLES[index % len(TITLES)],
                role=DelegateRole.VOTING_DELEGATE,
                attendance=Attendance.ONLINE if online else Attendance.IN_PERSON,
                state=state,
                dietary_needs="Vegetarian" if index % 6 == 2 else "",
                needs_visa_letter=index % 9 == 4,
                passport_name=name.upper() if index % 9 == 4 else "",
                passport_number=f"P{7000000 + index}" if index % 9 == 4 else "",
                nationality=member.country if index % 9 == 4 else "",
            )
        )
        if index % ALTERNATE_EVERY == 0 and state == RegistrationState.APPROVED:
            alt = next_name(member.region)
            delegates.append(
                save_delegate(
                    assembly,
                    email=email_for(alt, member.name),
                    name=alt,
                    member=member,
                    title="Alternate delegate",
                    role=DelegateRole.ALTERNATE,
                )
            )
    return delegates


def load_guests(assembly: Assembly) -> list[Delegate]:
    delegates = []
    corporations = MemberOrganization.objects.filter(
        kind__in=[MemberKind.CORPORATION, MemberKind.INSTITUTION]
    ).order_by("name")[:6]
    for member in corporations:
        name = next_name(member.region)
        delegates.append(
            save_delegate(
                assembly,
                email=email_for(name, member.name),
                name=name,
                member=member,
                title="Business development",
                role=DelegateRole.OBSERVER,
            )
        )
    for (name, organization, role, country), state in zip(GUESTS, GUEST_STATES, strict=True):
        delegates.append(
            save_delegate(
                assembly,
                email=email_for(name, organization),
                name=name,
                member=None,
                organization_name=organization,
                country=country,
                role=role,
                state=state,
                source=RegistrationSource.PUBLIC,
            )
        )
    for name, organization in STAFF_PEOPLE:
        delegates.append(
            save_delegate(
                assembly,
                email=email_for(name, organization),
                name=name,
                member=None,
                organization_name=organization,
                country="Korea",
                role=DelegateRole.STAFF,
                source=RegistrationSource.SECRETARIAT,
            )
        )
    return delegates


def load_accreditations(assembly: Assembly, delegates: list[Delegate]) -> None:
    for delegate in delegates:
        if delegate.state != RegistrationState.APPROVED or delegate.member is None:
            continue
        if delegate.role == DelegateRole.VOTING_DELEGATE:
            kind = AccreditationKind.VOTING
        elif delegate.role == DelegateRole.ALTERNATE:
            kind = AccreditationKind.ALTERNATE
        else:
            continue
        accredit(
            assembly=assembly,
            member=delegate.member,
            delegate=delegate,
            kind=kind,
            by=None,
            reason="Demo",
        )


def local(assembly: Assembly, day: int, hhmm: str) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(
        assembly.start_date + timedelta(days=day), time(hour, minute), tzinfo=assembly.zone
    )


def load_tours(assembly: Assembly) -> list[Tour]:
    tours = []
    for data in TOURS:
        tours.append(
            upsert(
                Tour,
                {"assembly": assembly, "code": data["code"]},
                {
                    "title": data["title"],
                    "description": data["description"],
                    "starts_at": local(assembly, data["day"], data["start"]),
                    "ends_at": local(assembly, data["day"], data["end"]),
                    "meeting_point": data["meeting_point"],
                    "capacity": data["capacity"],
                },
            )
        )
    return tours


def load_signups(assembly: Assembly, tours: list[Tour]) -> None:
    """Sign-ups made in the fortnight before the assembly, so a tour that has left (the demo
    starts today, or on its 2023 dates) still shows who went."""
    if TourSignup.objects.filter(tour__assembly=assembly).exists():
        return  # sign-ups are people's choices: a second run leaves them as they are
    moments = (local(assembly, -14, "09:00") + timedelta(minutes=n) for n in itertools.count())
    people = list(
        Delegate.objects.filter(
            assembly=assembly, state=RegistrationState.APPROVED, attendance=Attendance.IN_PERSON
        ).order_by("pk")
    )
    for offset, tour in enumerate(tours):
        wanted = TOUR_DEMAND[tour.code]
        done = 0
        for step in range(len(people)):
            if done == wanted:
                break
            person = people[(offset * 17 + step * 7) % len(people)]
            try:
                sign_up(tour=tour, delegate=person, accompanied=(step % 8 == 3), at=next(moments))
            except (TourClash, AlreadySignedUp):
                continue
            done += 1


def load_invitations(assembly: Assembly) -> None:
    days = (assembly.end_date - assembly.start_date).days
    expires = local(assembly, days, "23:59")
    uninvited = (
        MemberOrganization.objects.filter(assembly.voting_member_filter())
        .exclude(delegates__assembly=assembly)
        .order_by("name")[:3]
    )
    for member in uninvited:
        if not Invitation.objects.filter(assembly=assembly, member=member).exists():
            Invitation.objects.create(
                assembly=assembly,
                member=member,
                places=2,
                expires_at=expires,
                contact_email=member.contact_email,
                nonce=f"demo{member.pk:028d}",
            )


def load(assembly: Assembly) -> None:
    for region in NAMES:  # the same names on every run
        _counters[region] = itertools.count()
    upsert(
        RegistrationSettings,
        {"assembly": assembly},
        {
            "edit_cutoff": local(assembly, (assembly.end_date - assembly.start_date).days, "18:00"),
            "letterhead": "Secretariat · Seoul, Korea · secretariat@we-gov.org",
            "signatory_name": "The WeGO Secretariat",
            "signatory_title": "On behalf of the Secretary General",
        },
    )
    delegates = load_fixed(assembly) + load_members_delegates(assembly) + load_guests(assembly)
    load_accreditations(assembly, delegates)
    load_invitations(assembly)
    load_signups(assembly, load_tours(assembly))
