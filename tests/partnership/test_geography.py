"""The reference geography of England and Wales, and a partnership for any CSP."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from saferplaces.evidence.scope import scope_for
from saferplaces.insight.reference_geography import reference_areas, reference_districts
from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import ActivityEvent, Group, Organisation, Person, Place
from saferplaces.partnership.models.places import PlaceKind

# Districts per region and per two-tier county in 2024 (ONS), to check the derivations.
REGION_DISTRICTS = {
    "North East": 12, "North West": 35, "Yorkshire and The Humber": 15, "East Midlands": 35,
    "West Midlands": 30, "East of England": 45, "London": 33, "South East": 64,
    "South West": 27, "Wales": 22,
}  # fmt: skip
COUNTY_DISTRICTS = {
    "Cambridgeshire": 5, "Derbyshire": 8, "Devon": 8, "East Sussex": 5, "Essex": 12,
    "Gloucestershire": 6, "Hampshire": 11, "Hertfordshire": 10, "Kent": 12, "Lancashire": 12,
    "Leicestershire": 7, "Lincolnshire": 7, "Norfolk": 7, "Nottinghamshire": 7,
    "Oxfordshire": 5, "Staffordshire": 8, "Suffolk": 5, "Surrey": 11, "Warwickshire": 5,
    "West Sussex": 7, "Worcestershire": 6,
}  # fmt: skip


def test_reference_districts_regions_and_counties() -> None:
    """Given the shipped lookups, every district of today has a region, every lower-tier
    district (E07) a county and no other district one, and each region and county holds
    the number of districts ONS lists for it."""
    districts = reference_districts()
    assert len(districts) == 318
    assert Counter(d.region_name for d in districts) == REGION_DISTRICTS
    assert Counter(d.county_name for d in districts if d.county_code) == COUNTY_DISTRICTS
    assert all(bool(d.county_code) == d.code.startswith("E07") for d in districts)
    assert all(d.pfa_code and d.fra_code and d.lsoas for d in districts)
    assert sum(len(d.lsoas) for d in districts) == 34_753
    kinds = Counter(a.kind for a in reference_areas())
    assert (kinds["region"], kinds["county"], kinds["force"]) == (10, 21, 43)


def test_former_codes_map_to_todays_districts() -> None:
    """Northumberland's E06000048 is today's E06000057; Cumberland took in Allerdale,
    Carlisle and Copeland, whose 2021 codes the incident store still uses."""
    by_code = {d.code: d for d in reference_districts()}
    assert "E06000048" in by_code["E06000057"].former_codes
    cumberland = by_code["E06000063"]
    assert cumberland.store_codes == ("E07000026", "E07000028", "E07000029")
    assert {"Allerdale", "Carlisle", "Copeland"} <= set(cumberland.former_names)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_whole_geography_loads_once_and_answers_to_names_and_codes() -> None:
    """Given an empty database, When the geography is loaded twice, Then every district,
    LSOA and place made of districts is there once, the second load changes nothing,
    and places answer to names (case and punctuation ignored), current and former codes,
    with ambiguous names listing the candidates."""
    first = load_geography()
    assert first.created == Place.objects.count() > 35_000
    events = ActivityEvent.objects.count()
    again = load_geography()
    assert (again.created, again.updated, again.populations) == (0, 0, 0)
    assert ActivityEvent.objects.count() == events
    assert Place.objects.filter(kind=PlaceKind.DISTRICT).count() == 318
    assert Place.objects.filter(kind=PlaceKind.LSOA).count() == 34_753
    find = Place.objects.by_name_or_code
    newcastle = find("newcastle-upon-tyne")
    assert find("NEWCASTLE UPON TYNE") == find("E08000021") == newcastle
    assert find("E06000048") == find("Northumberland") == Place.objects.get(lad_code="E06000057")
    assert find("Lancashire").kind == PlaceKind.COUNTY
    assert find("E23000003").kind == PlaceKind.FORCE
    assert find("Allerdale").lad_code == "E06000063"
    with pytest.raises(Place.MultipleObjectsReturned, match=r"E22000363.*E07000043"):
        find("North Devon")
    assert scope_for(find("E22000363")).districts == ("E07000043", "E07000046")
    assert scope_for(find("Cumberland")).districts == ("E07000026", "E07000028", "E07000029")
    assert len(scope_for(find("London")).districts) == 33
    wl = find("West Lancashire")
    assert wl.populations.get(year=2014).population == 111_845
    assert wl.children.filter(kind=PlaceKind.LSOA).count() == 73


@pytest.mark.django_db
def test_a_partnership_for_any_csp_in_one_command(fast_passwords: None) -> None:
    """Given a fresh database, When `partnership create --csp "Newcastle upon Tyne"` runs
    twice, Then the CSP has its responsible authorities, a statutory board and a first
    administrator, and the second run duplicates nothing."""
    load_geography(force_areas=["E23000007"])  # Northumbria: Newcastle and its neighbours

    def run() -> str:
        out = io.StringIO()
        call_command("partnership", "create", "--csp", "Newcastle upon Tyne",
                     "--admin", "alex", "--email", "alex@example.invalid", stdout=out)  # fmt: skip
        return out.getvalue()

    first = run()
    counts = (Organisation.objects.count(), Group.objects.count(), Person.objects.count())
    second = run()
    assert (Organisation.objects.count(), Group.objects.count(), Person.objects.count()) == counts
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"council", "police", "fire", "health", "probation"} <= kinds
    assert "county_council" not in kinds  # a metropolitan district: no county council
    assert Organisation.objects.get(kind="police").name == "Northumbria Police"
    board = Group.objects.get(place__lad_code="E08000021", statutory=True)
    admin = Person.objects.get(user__username="alex")
    assert admin.user.is_staff and board.memberships.filter(person=admin).exists()
    assert "first password" in first and "password unchanged" in second


@pytest.mark.django_db
def test_a_two_tier_csp_gets_its_county_council_and_a_clear_error_for_a_county() -> None:
    load_geography(force_areas=["E23000003"])
    call_command("partnership", "create", "--csp", "Rossendale", stdout=io.StringIO())
    council = Organisation.objects.get(kind="county_council")
    assert council.name == "Lancashire County Council"
    with pytest.raises(CommandError, match="not a community safety partnership"):
        call_command("partnership", "create", "--csp", "Lancashire", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_admin_page_sets_up_a_partnership(admin_client: Client) -> None:
    """Given an administrator, When they set up Rossendale from the admin page, Then the
    same service runs (organisations, board, administrator shown once); an unknown CSP is
    a form error saying what to give."""
    load_geography(force_areas=["E23000003"])
    url = reverse("admin:partnership_set_up")
    assert "Set up a partnership" in admin_client.get(
        reverse("admin:partnership_place_changelist")).content.decode()  # fmt: skip
    bad = admin_client.post(url, {"csp": "Atlantis"})
    assert bad.status_code == 400 and "No place is called" in bad.content.decode()
    response = admin_client.post(url, {"csp": "E07000125", "admin_username": "robin"},
                                 follow=True)  # fmt: skip
    assert response.status_code == 200
    assert "first password" in response.content.decode()
    assert Group.objects.filter(place__lad_code="E07000125", statutory=True).count() == 1
    assert Person.objects.get(user__username="robin").user.is_staff


@pytest.mark.django_db
def test_home_finds_any_place_by_name_or_code(client: Client, fast_passwords: None) -> None:
    """Given the reference geography, the home page's search finds districts, force areas
    and counties by the start of their name, LSOAs only by a code or numbered name."""
    from django.contrib.auth import get_user_model

    load_geography(force_areas=["E23000003"])
    client.force_login(get_user_model().objects.create_user("finder", password="x-pass-1"))
    html = client.get("/", {"q": "lanc"}).content.decode()
    assert "Lancashire police force area" in html and ">Lancaster<" in html
    assert "(LSOA," not in html
    html = client.get("/", {"q": "Lancaster 001"}).content.decode()
    assert "Lancaster 001A" in html
