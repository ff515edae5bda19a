"""Demo delegates for the WeGO assembly: a few people to log in as, in several scripts."""

from django.contrib.auth import get_user_model

from assembly.demo import upsert
from assembly.models import Assembly, MemberOrganization
from registration.models import (
    Accreditation,
    AccreditationKind,
    Attendance,
    Delegate,
    DelegateRole,
    RegistrationState,
)

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


def load(assembly: Assembly) -> None:
    for member_name, name, title, email, role, attendance in DEMO_DELEGATES:
        member = MemberOrganization.objects.get(name=member_name)
        delegate = upsert(
            Delegate,
            {"assembly": assembly, "email": email},
            {
                "member": member,
                "user": delegate_user(email, name),
                "full_name": name,
                "title": title,
                "country": member.country,
                "role": role,
                "attendance": attendance,
                "state": RegistrationState.APPROVED,
            },
        )
        if role == DelegateRole.VOTING_DELEGATE:
            Accreditation.objects.get_or_create(
                assembly=assembly,
                member=member,
                delegate=delegate,
                kind=AccreditationKind.VOTING,
                ended_at=None,
            )
