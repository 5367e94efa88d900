import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class GeographyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "metrics.Geography"
        django_get_or_create = ("fips",)

    # Transactional tests flush the table the migration filled, so factories re-create rows.
    kind = "county"
    fips = "35013"
    state_fips = "35"
    state_name = "New Mexico"
    name = "Doña Ana County"


class CoalitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coalitions.Coalition"

    name = factory.Sequence(lambda n: f"Coalition {n}")
    geography = factory.SubFactory(GeographyFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coalitions.Membership"

    coalition = factory.SubFactory(CoalitionFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
