"""factory_boy factories for the core domain and delegates."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model

from assembly.models import Assembly, Checkpoint, MemberKind, MemberOrganization, Region, StaffRole
from registration.models import Attendance, Delegate, DelegateRole, RegistrationState


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or "pw-for-tests")
        if create:
            self.save(update_fields=["password"])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberOrganization

    name = factory.Sequence(lambda n: f"City {n}")
    kind = MemberKind.LOCAL_GOVERNMENT
    country = "Korea"
    region = Region.ASIA_PACIFIC
    dues_paid = True
    population = 1_000_000


class AssemblyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assembly

    slug = factory.Sequence(lambda n: f"assembly-{n}")
    name = factory.Sequence(lambda n: f"General Assembly {n}")
    city = "Seoul"
    venue = "Convention Centre"
    time_zone = "Asia/Seoul"
    # Today where the assembly is, not where the tests run: started on the UTC date, an
    # assembly in Seoul is on its second day from 18:00 UTC, past a night cut (03:00 local)
    # that a running poll closer ends presence at.
    start_date = factory.LazyAttribute(lambda a: Assembly(time_zone=a.time_zone).local_today())
    end_date = factory.LazyAttribute(lambda a: a.start_date + timedelta(days=2))


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    assembly = factory.SubFactory(AssemblyFactory)
    code = factory.Sequence(lambda n: f"checkpoint-{n}")
    name = factory.Sequence(lambda n: f"Checkpoint {n}")
    kind = "entrance"
    is_voting = False


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    assembly = factory.SubFactory(AssemblyFactory)
    user = factory.SubFactory(UserFactory)
    role = "desk"


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    assembly = factory.SubFactory(AssemblyFactory)
    member = factory.SubFactory(MemberFactory)
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..email"),
        email=factory.SelfAttribute("..email"),
    )
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    role = DelegateRole.VOTING_DELEGATE
    attendance = Attendance.IN_PERSON
    state = RegistrationState.APPROVED
