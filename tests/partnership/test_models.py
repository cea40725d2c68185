"""Places, organisations, groups and actions: the rules the models and queries keep."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from saferplaces.partnership import services
from saferplaces.partnership.models import Action, Group, Organisation, Place
from saferplaces.partnership.models.groups import MembershipRole
from saferplaces.partnership.models.meetings import ActionStatus
from saferplaces.partnership.models.people import OrganisationKind
from tests.personas import World

TODAY = datetime.date(2025, 6, 15)


class TestPlaceLookup:
    def test_by_name_is_case_insensitive(self, world: World) -> None:
        """Given Testford, when looked up as 'TESTFORD', then Testford is found."""
        assert Place.objects.by_name_or_code("  TESTFORD ") == world.district

    @pytest.mark.parametrize("code", ["E07999999", "e22999999"])
    def test_by_lad_or_csp_code(self, world: World, code: str) -> None:
        assert Place.objects.by_name_or_code(code) == world.district

    def test_a_shared_code_resolves_to_the_widest_place(self, world: World) -> None:
        """Given the county and district share a police force area code, then the county wins."""
        assert Place.objects.by_name_or_code("E23999999") == world.county

    def test_unknown_place_raises_does_not_exist_with_a_clear_message(self, world: World) -> None:
        with pytest.raises(Place.DoesNotExist, match="No place is called 'Atlantis'"):
            Place.objects.by_name_or_code("Atlantis")

    def test_empty_lookup_is_rejected(self, world: World) -> None:
        with pytest.raises(Place.DoesNotExist, match="enter a place name"):
            Place.objects.by_name_or_code(" ")

    def test_ancestors_and_latest_population(self, world: World) -> None:
        assert world.district.ancestors() == [world.county, world.area]
        latest = world.district.latest_population()
        assert latest is not None and (latest.year, latest.population) == (2020, 101_000)

    def test_lad_code_is_unique(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.upsert_place(
                None, slug="other", name="Other", kind="district", lad_code="E07999999"
            )


@pytest.mark.parametrize(
    ("kind", "responsible"),
    [
        (OrganisationKind.COUNCIL, True),
        (OrganisationKind.COUNTY_COUNCIL, True),
        (OrganisationKind.POLICE, True),
        (OrganisationKind.FIRE, True),
        (OrganisationKind.HEALTH, True),
        (OrganisationKind.PROBATION, True),
        (OrganisationKind.PCC, False),
        (OrganisationKind.HOUSING, False),
        (OrganisationKind.VOLUNTARY, False),
        (OrganisationKind.EDUCATION, False),
        (OrganisationKind.YOUTH, False),
        (OrganisationKind.OTHER, False),
    ],
)
def test_responsible_authority_follows_from_the_kind(kind: str, responsible: bool) -> None:
    assert Organisation(name="x", slug="x", kind=kind).is_responsible_authority is responsible


class TestEscalationLine:
    def test_line_runs_up_to_the_county(self, world: World) -> None:
        assert world.divert.escalation_line() == [
            world.lpg,
            world.executive,
            world.area_group,
            world.county_group,
        ]

    def test_a_group_cannot_be_its_own_parent(self, world: World) -> None:
        with pytest.raises(ValidationError, match="cannot escalate to itself"):
            services.set_group_parent(None, world.lpg, world.lpg)
        world.lpg.refresh_from_db()
        assert world.lpg.parent == world.executive

    def test_a_cycle_is_rejected(self, world: World) -> None:
        """Given Divert escalates to the LPG, when the LPG is set to escalate to Divert,
        then it is refused and nothing changes."""
        with pytest.raises(ValidationError, match="already escalates to"):
            services.set_group_parent(None, world.lpg, world.divert)
        world.lpg.refresh_from_db()
        assert world.lpg.parent == world.executive

    def test_a_longer_cycle_is_rejected_by_model_validation(self, world: World) -> None:
        world.county_group.parent = world.divert
        with pytest.raises(ValidationError) as caught:
            world.county_group.full_clean()
        assert "parent" in caught.value.message_dict

    def test_upsert_group_rejects_a_cycle(self, world: World) -> None:
        with pytest.raises(ValidationError):
            services.upsert_group(
                None,
                slug="testford-executive",
                name="Testford Executive",
                kind="strategy",
                place=world.district,
                parent=world.divert,
            )

    def test_database_refuses_self_parent(self, world: World) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Group.objects.filter(pk=world.lpg.pk).update(parent=world.lpg)

    def test_only_one_chair(self, world: World, alice: object, bob: object) -> None:
        bob_person = world.divert.memberships.get().person
        with pytest.raises(ValidationError):
            services.upsert_membership(
                None, group=world.lpg, person=bob_person, role=MembershipRole.CHAIR
            )
        assert world.lpg.chair is not None and world.lpg.chair.user.username == "alice"


class TestOverdue:
    @pytest.fixture
    def actions(self, world: World, alice: object) -> dict[str, Action]:
        owner = world.lpg.memberships.get().person
        made = {}
        for title, due, status in [
            ("late", TODAY - datetime.timedelta(days=1), ActionStatus.OPEN),
            ("late in progress", TODAY - datetime.timedelta(days=30), ActionStatus.IN_PROGRESS),
            ("due today", TODAY, ActionStatus.OPEN),
            ("future", TODAY + datetime.timedelta(days=1), ActionStatus.OPEN),
            ("late but done", TODAY - datetime.timedelta(days=5), ActionStatus.DONE),
            ("late but cancelled", TODAY - datetime.timedelta(days=5), ActionStatus.CANCELLED),
        ]:
            made[title] = services.add_action(
                None, group=world.lpg, title=title, owner=owner, due_date=due, status=status
            )
        return made

    def test_overdue_is_open_and_due_before_today(self, actions: dict[str, Action]) -> None:
        overdue = set(Action.objects.overdue(TODAY).values_list("title", flat=True))
        assert overdue == {"late", "late in progress"}

    def test_open_excludes_done_and_cancelled(self, actions: dict[str, Action]) -> None:
        assert set(Action.objects.open().values_list("title", flat=True)) == {
            "late",
            "late in progress",
            "due today",
            "future",
        }

    def test_is_overdue_agrees_with_the_query(self, actions: dict[str, Action]) -> None:
        flagged = {t for t, a in actions.items() if a.is_overdue(TODAY)}
        assert flagged == set(Action.objects.overdue(TODAY).values_list("title", flat=True))
