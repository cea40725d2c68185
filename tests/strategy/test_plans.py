"""Plans and the county Community Safety Agreement: services, the plan page in the shape
of the agreement's table, the county matrix against the district plans, who may edit."""

from __future__ import annotations

import datetime
import time

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from saferplaces.partnership import services as group_services
from saferplaces.partnership.models.activity import ActivityEvent
from saferplaces.partnership.models.groups import GroupKind
from saferplaces.partnership.models.people import PersonRole
from saferplaces.partnership.models.places import PlaceKind
from saferplaces.partnership.services import upsert_place
from saferplaces.strategy import plans as svc
from saferplaces.strategy.models import Plan, PlanKind, PlanPriority, PolicingObjective
from tests.personas import World, client_for, make_person

D = datetime.date
ASB = "Anti-Social Behaviour & Hate Crime"


def county_plan(world: World) -> Plan:
    plan = svc.create_plan(
        None, place=world.county, kind=PlanKind.COUNTY_AGREEMENT,
        title="Testshire Community Safety Agreement 2014/16", period_label="2014/16",
        starts_on=D(2014, 4, 1), ends_on=D(2016, 3, 31), vision="A safer Testshire.",
    )  # fmt: skip
    svc.add_priority(None, plan, title="Anti-Social Behaviour & Hate Crime",
                     indicator_keys=["anti-social-behaviour"])  # fmt: skip
    svc.add_priority(None, plan, title="Child Sexual Exploitation")
    svc.add_priority(None, plan, title="Violent Crime")
    for title in ("Alcohol and Drugs", "Reoffending"):
        svc.add_factor(None, plan, title=title)
    for text in ("Communities are more cohesive and resilient", "Victims are supported"):
        svc.add_outcome(None, plan, text=text)
    svc.add_requirement(None, plan, title="Serious Organised Crime")
    return plan


def district_plan(world: World, county: Plan) -> Plan:
    plan = svc.create_plan(
        None, place=world.district, kind=PlanKind.PARTNERSHIP,
        title="Testford priorities 2015/16", period_label="2015/16",
        starts_on=D(2015, 4, 1), ends_on=D(2016, 3, 31),
    )  # fmt: skip
    svc.add_priority(None, plan, title="child  sexual EXPLOITATION")  # same title, other case
    svc.add_priority(
        None, plan, title="Violent Crime including Domestic Abuse",
        county_priority=county.priorities.get(title="Violent Crime"),
    )  # fmt: skip
    svc.add_priority(None, plan, title="Reducing Reoffending")  # not a county priority
    return plan


@pytest.mark.django_db
def test_services_build_a_plan_and_log_each_write(world: World) -> None:
    """Given a county, When a plan is built through the services, Then its items are in
    order, outcomes are numbered, and every write is in the activity log."""
    plan = county_plan(world)
    assert [p.title for p in plan.priorities.all()][:2] == [
        "Anti-Social Behaviour & Hate Crime", "Child Sexual Exploitation"]  # fmt: skip
    assert [o.number for o in plan.outcomes.all()] == [1, 2]
    assert ActivityEvent.objects.filter(object_type="strategy.plan").count() == 1
    assert ActivityEvent.objects.filter(object_type="strategy.planpriority").count() == 3
    with pytest.raises(ValidationError):
        svc.add_outcome(None, plan, text="Again", number=2)
    with pytest.raises(ValidationError, match="Unknown indicator"):
        svc.add_priority(None, plan, title="Road Safety", indicator_keys=["no-such-thing"])
    assert not plan.priorities.filter(title="Road Safety").exists()


@pytest.mark.django_db
def test_approve_and_edit(world: World) -> None:
    """Given a draft plan, When it is edited and approved, Then the change and approval are
    recorded; an empty plan cannot be approved; an approved plan cannot be approved twice."""
    empty = svc.create_plan(None, place=world.district, kind=PlanKind.PARTNERSHIP, title="E",
                            period_label="2016/17", starts_on=D(2016, 4, 1),
                            ends_on=D(2017, 3, 31))  # fmt: skip
    with pytest.raises(ValidationError, match="at least one priority"):
        svc.approve_plan(None, empty, approved_on=D(2016, 5, 1))
    plan = county_plan(world)
    svc.edit_plan(None, plan, vision="Safer still.")
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4), note="Full Council")
    plan.refresh_from_db()
    assert plan.is_approved and plan.vision == "Safer still."
    assert plan.approved_on == D(2014, 12, 4) and plan.approval_note == "Full Council"
    with pytest.raises(ValidationError, match="already approved"):
        svc.approve_plan(None, plan, approved_on=D(2014, 12, 5))
    verbs = set(ActivityEvent.objects.filter(object_id=str(plan.pk),
                                             object_type="strategy.plan")
                .values_list("verb", flat=True))  # fmt: skip
    assert verbs == {"created", "updated", "approved"}


@pytest.mark.django_db
def test_have_regard_mapping(world: World) -> None:
    """Given objectives of the policing body for the county and for another area, When a
    district priority is mapped, Then it has regard to the county's; another area's is
    refused and the mapping is logged."""
    county = county_plan(world)
    local = district_plan(world, county)
    objective = svc.upsert_objective(None, place=world.county, reference="1",
                                     title="Protect the vulnerable")  # fmt: skip
    other = upsert_place(None, slug="otherford", name="Otherford", kind=PlaceKind.DISTRICT,
                         lad_code="E07999998")  # fmt: skip
    foreign = svc.upsert_objective(None, place=other, title="Elsewhere")
    priority = local.priorities.get(title="Reducing Reoffending")
    assert list(svc.objectives_for(local)) == [objective]
    with pytest.raises(ValidationError):
        svc.map_priority_objectives(None, priority, [foreign])
    svc.map_priority_objectives(None, priority, [objective])
    assert list(priority.objectives.all()) == [objective]
    assert ActivityEvent.objects.filter(verb="mapped", object_id=str(priority.pk)).exists()
    # idempotent: the same objective again records nothing
    again = svc.upsert_objective(None, place=world.county, reference="1",
                                 title="Protect the vulnerable")  # fmt: skip
    assert again == objective
    assert ActivityEvent.objects.filter(object_type="strategy.policingobjective").count() == 2


@pytest.mark.django_db
def test_county_link_only_to_a_county_agreement(world: World) -> None:
    """A district priority may feed a county agreement's priority, not another district's."""
    county = county_plan(world)
    local = district_plan(world, county)
    with pytest.raises(ValidationError):
        svc.add_priority(None, local, title="X", county_priority=local.priorities.first())
    with pytest.raises(ValidationError):
        svc.add_priority(None, county, title="Y", county_priority=county.priorities.first())


@pytest.mark.django_db
def test_county_matrix_against_the_district_plans(world: World) -> None:
    """Given a county agreement and Testford's plan, When the matrix is built, Then Testford
    holds CSE (same title, case and spaces ignored) and Violent Crime (linked), not ASB; its
    Reducing Reoffending is flagged as not covered (named in the county plan as the factor
    Reoffending); and its escalation route runs executive → area → county group."""
    county = county_plan(world)
    local = district_plan(world, county)
    matrix = svc.county_matrix(county)
    assert [p.title for p in matrix.priorities] == [
        ASB, "Child Sexual Exploitation", "Violent Crime"]  # fmt: skip
    (row,) = matrix.rows
    assert row.district == world.district and row.plan == local
    assert [c.held for c in row.cells] == [False, True, True]
    assert [c.how for c in row.cells] == ["", "title", "linked"]
    assert [u.priority.title for u in row.uncovered] == ["Reducing Reoffending"]
    assert row.uncovered[0].related == ("Reoffending (contributory factor)",)
    assert row.route == [world.executive, world.area_group, world.county_group]
    assert not row.route_from_area
    assert matrix.totals == [0, 1, 1] and matrix.uncovered_count == 1
    # every district priority is in exactly one place: a cell or the uncovered list
    placed = [p for c in row.cells for p in c.held_by] + [u.priority for u in row.uncovered]
    assert sorted(p.pk for p in placed) == sorted(local.priorities.values_list("pk", flat=True))


@pytest.mark.django_db
def test_matrix_ignores_plans_outside_the_period(world: World) -> None:
    """A district plan that ends before the county plan starts is not read."""
    county = county_plan(world)
    svc.create_plan(None, place=world.district, kind=PlanKind.PARTNERSHIP, title="Old",
                    period_label="2011/14", starts_on=D(2011, 4, 1),
                    ends_on=D(2014, 3, 31))  # fmt: skip
    (row,) = svc.county_matrix(county).rows
    assert row.plan is None and not any(c.held for c in row.cells)


def cells(doc: lxml.html.HtmlElement, testid: str) -> list[str]:
    return [li.text_content().strip() for li in doc.xpath(f'.//*[@data-testid="{testid}"]//li')]


@pytest.mark.django_db
def test_plan_page_has_the_agreements_table(world: World) -> None:
    """Given an approved county agreement, When anyone (signed out) reads its page, Then
    the table has the agreement's shape: three column headings, the priority issues and
    contributory factors side by side, the numbered shared outcomes down the third column
    beside the statutory requirements, and each indicator links to the dashboard."""
    plan = county_plan(world)
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4))
    response = Client().get(reverse("strategy:plan", args=[world.county.slug, plan.pk]))
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content)
    (table,) = doc.xpath('//*[@data-testid="plan-table"]')
    assert [th.text_content().strip() for th in table.xpath(".//thead//th")] == [
        "Priority Issues", "Contributory Factors", "Shared Outcomes"]  # fmt: skip
    rows = table.xpath("./tbody/tr")
    assert len(rows) == 3
    first = rows[0].xpath("./td")
    assert len(first) == 3 and first[2].get("rowspan") == "3"
    assert rows[1].xpath("./th")[0].text_content().strip() == "Statutory Requirements"
    assert rows[1].xpath("./th")[0].get("colspan") == "2"
    assert rows[2].xpath("./td")[0].get("colspan") == "2"
    assert cells(table, "priorities") == [
        ASB, "Child Sexual Exploitation", "Violent Crime"]  # fmt: skip
    assert cells(table, "factors") == ["Alcohol and Drugs", "Reoffending"]
    assert [li.get("value") for li in table.xpath('.//*[@data-testid="outcomes"]/li')] == ["1", "2"]
    assert cells(table, "requirements") == ["Serious Organised Crime"]
    assert doc.xpath('//*[@data-testid="vision"]')[0].text_content().strip() == plan.vision
    links = [a.get("href") for a in doc.xpath('//*[@data-testid="priority"]//a')]
    assert f"/places/{world.county.slug}/dashboard/#card-anti-social-behaviour" in links


@pytest.mark.django_db
def test_page_shows_have_regard_with_the_configured_body(world: World, settings: object) -> None:
    """The "have regard" mapping names the policing body from settings."""
    settings.POLICING_BODY = "Mayor"  # type: ignore[attr-defined]
    plan = county_plan(world)
    objective = svc.upsert_objective(None, place=world.county, reference="2", title="Cut crime")
    svc.map_priority_objectives(None, plan.priorities.get(title="Violent Crime"), [objective])
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4))
    page = Client().get(reverse("strategy:plan", args=[world.county.slug, plan.pk]))
    doc = lxml.html.fromstring(page.content)
    (table,) = doc.xpath('//*[@data-testid="regard-table"]')
    assert "Mayor's objective" in table.text_content()
    assert [td.text_content().strip() for td in table.xpath(".//tbody//td")] == ["Violent Crime"]
    assert "Police and Crime Commissioner" not in page.content.decode()


@pytest.mark.django_db
def test_drafts_need_sign_in_and_forms_need_an_editor(world: World) -> None:
    """A draft is 404 when signed out; an analyst reads it but gets 404 on its forms; a
    community safety officer may add to it."""
    plan = county_plan(world)
    url = reverse("strategy:plan", args=[world.county.slug, plan.pk])
    add = reverse("strategy:plan_add", args=[world.county.slug, plan.pk, "factor"])
    assert Client().get(url).status_code == 404
    analyst = make_person("ana", world.police, first_name="Ana", role=PersonRole.ANALYST)
    reader = client_for(analyst)
    assert reader.get(url).status_code == 200
    assert reader.get(add).status_code == 404
    assert reader.post(add, {"title": "Health"}).status_code == 404
    officer = client_for(make_person("olu", world.council, first_name="Olu"))
    assert officer.get(add).status_code == 200
    response = officer.post(add, {"title": "Health"})
    assert response.status_code == 302
    assert plan.factors.filter(title="Health").exists()
    event = ActivityEvent.objects.get(object_type="strategy.contributoryfactor",
                                      summary__contains="Health")  # fmt: skip
    assert event.actor == officer_user(officer)


def officer_user(client: Client) -> object:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.django_db
def test_forms_create_a_plan_and_a_priority_with_errors_shown(world: World) -> None:
    """An officer creates a plan (an end before the start is refused with a message), adds
    a priority with an indicator and a county link, and records its approval."""
    county = county_plan(world)
    officer = client_for(make_person("olu", world.council, first_name="Olu"))
    new = reverse("strategy:plan_new", args=[world.district.slug])
    bad = officer.post(new, {"kind": "partnership", "title": "T", "period_label": "2015/16",
                             "starts_on": "2015-04-01", "ends_on": "2015-03-01"})  # fmt: skip
    assert bad.status_code == 400
    assert "The end date must be the same as or after the start date" in bad.content.decode()
    ok = officer.post(new, {"kind": "partnership", "title": "Testford plan",
                            "period_label": "2015/16", "starts_on": "2015-04-01",
                            "ends_on": "2016-03-31"})  # fmt: skip
    assert ok.status_code == 302
    plan = Plan.objects.get(title="Testford plan")
    violent = county.priorities.get(title="Violent Crime")
    add = reverse("strategy:plan_add", args=[world.district.slug, plan.pk, "priority"])
    assert officer.post(add, {"title": ""}).status_code == 400
    response = officer.post(add, {"title": "Violence", "indicator_keys": ["domestic-abuse"],
                                  "county_priority": str(violent.pk)})  # fmt: skip
    assert response.status_code == 302
    priority = PlanPriority.objects.get(plan=plan, title="Violence")
    assert priority.indicator_keys == ["domestic-abuse"] and priority.county_priority == violent
    approve = reverse("strategy:plan_approve", args=[world.district.slug, plan.pk])
    assert officer.post(approve, {"approved_on": "2015-05-01"}).status_code == 302
    plan.refresh_from_db()
    assert plan.is_approved and plan.approved_by is not None


@pytest.mark.django_db
def test_matrix_page_flags_the_uncovered_local_priority(world: World) -> None:
    """The county matrix page marks who holds what, flags Reducing Reoffending as not
    covered, and shows Testford's escalation route."""
    county = county_plan(world)
    district_plan(world, county)
    svc.approve_plan(None, county, approved_on=D(2014, 12, 4))
    page = Client().get(reverse("strategy:plan_matrix", args=[world.county.slug, county.pk]))
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content)
    (row,) = doc.xpath('//*[@data-testid="matrix"]/tbody/tr')
    values = [td.text_content().strip() for td in row.xpath("./td")][1:]
    assert [v.split(" ")[0] for v in values] == ["No", "Yes", "Yes"]
    uncovered = doc.xpath('//*[@data-testid="uncovered"]')[0].text_content()
    assert "Reducing Reoffending" in uncovered and "Not covered" in uncovered
    route = doc.xpath('//*[@data-testid="escalation"]')[0].text_content()
    assert (
        "Testford Executive Group → South Testshire Steering Group → Testshire Strategy Group"
        in route
    )


@pytest.mark.django_db
def test_objectives_register_page(world: World) -> None:
    """An officer adds an objective to the register; a reader sees it but no form."""
    officer = client_for(make_person("olu", world.council, first_name="Olu"))
    url = reverse("strategy:plan_objectives", args=[world.county.slug])
    assert (
        officer.post(url, {"reference": "1", "title": "Protect the vulnerable"}).status_code == 302
    )
    assert PolicingObjective.objects.filter(place=world.county).count() == 1
    page = Client().get(url)
    assert "Protect the vulnerable" in page.content.decode() and b"<form method" not in page.content
    assert Client().post(url, {"title": "X"}).status_code == 404


@pytest.mark.django_db
def test_list_edit_and_priority_edit_pages(world: World) -> None:
    """An officer lists a place's plans, edits a plan's vision and maps a priority to an
    objective through its page; signed out, the list shows only approved plans."""
    county = county_plan(world)
    local = district_plan(world, county)
    objective = svc.upsert_objective(None, place=world.county, reference="1", title="Cut crime")
    officer = client_for(make_person("olu", world.council, first_name="Olu"))
    listing = officer.get(reverse("strategy:plans", args=[world.district.slug]))
    assert listing.status_code == 200 and local.title in listing.content.decode()
    assert (
        local.title
        not in Client().get(reverse("strategy:plans", args=[world.district.slug])).content.decode()
    )
    edit = reverse("strategy:plan_edit", args=[world.district.slug, local.pk])
    assert officer.get(edit).status_code == 200
    form = {"title": local.title, "period_label": "2015/16", "starts_on": "2015-04-01",
            "ends_on": "2016-03-31", "vision": "Safest borough"}  # fmt: skip
    assert officer.post(edit, form).status_code == 302
    local.refresh_from_db()
    assert local.vision == "Safest borough"
    priority = local.priorities.get(title="Reducing Reoffending")
    url = reverse("strategy:plan_priority_edit", args=[world.district.slug, local.pk, priority.pk])
    page = officer.get(url)
    assert (
        page.status_code == 200
        and "Police and Crime Commissioner objectives" in page.content.decode()
    )
    response = officer.post(url, {"title": "Reducing Reoffending", "indicator_keys": ["all-crime"],
                                  "objectives": [str(objective.pk)]})  # fmt: skip
    assert response.status_code == 302
    assert list(priority.objectives.all()) == [objective]
    detail = officer.get(reverse("strategy:plan", args=[world.district.slug, local.pk]))
    doc = lxml.html.fromstring(detail.content)
    regard = [dd.text_content().strip() for dd in doc.xpath('//*[@data-testid="regard"]')]
    assert "1. Cut crime" in regard
    assert "Feeds the county priority" in detail.content.decode()


@pytest.mark.django_db
def test_county_matrix_for_fourteen_districts_is_quick(world: World) -> None:
    """Given 14 districts each with a plan of five priorities and a strategy group, When
    the county matrix is built, Then it takes well under 2 seconds and every district's
    route reaches the county strategy group."""
    county = county_plan(world)
    district_plan(world, county)
    for i in range(13):
        place = upsert_place(None, slug=f"district-{i}", name=f"District {i:02d}",
                             kind=PlaceKind.DISTRICT, parent=world.area,
                             lad_code=f"E0788{i:04d}")  # fmt: skip
        group_services.upsert_group(None, slug=f"district-{i}-exec", name=f"District {i} Exec",
                                    kind=GroupKind.STRATEGY, place=place,
                                    parent=world.area_group)  # fmt: skip
        plan = svc.create_plan(None, place=place, kind=PlanKind.PARTNERSHIP, title=f"P{i}",
                               period_label="2015/16", starts_on=D(2015, 4, 1),
                               ends_on=D(2016, 3, 31))  # fmt: skip
        for title in (ASB, "Violent Crime", "Burglary", "Road Safety", f"Local {i}"):
            svc.add_priority(None, plan, title=title)
    started = time.perf_counter()
    matrix = svc.county_matrix(county)
    elapsed = time.perf_counter() - started
    assert len(matrix.rows) == 14 and elapsed < 2.0
    assert matrix.totals == [13, 1, 14]
    assert matrix.uncovered_count == 13 * 3 + 1
    assert all(r.route[-1] == world.county_group for r in matrix.rows)


@pytest.mark.django_db
def test_admin_pages(world: World) -> None:
    """Staff can open plans and objectives in the Django admin."""
    county = county_plan(world)
    person = make_person("sam", world.council, first_name="Sam", staff=True)
    person.user.is_superuser = True
    person.user.save()
    staff = client_for(person)
    assert staff.get(reverse("admin:strategy_plan_change", args=[county.pk])).status_code == 200
    assert staff.get(reverse("admin:strategy_policingobjective_changelist")).status_code == 200


@pytest.mark.django_db
def test_an_approved_plan_is_reopened_before_it_changes(world: World) -> None:
    """Given an approved plan, When an officer tries to add to it, Then it is refused with
    a message; When the officer reopens it with a reason, Then it is a draft again (the
    reason logged) and may be changed."""
    plan = county_plan(world)
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4))
    with pytest.raises(ValidationError, match="reopen it"):
        svc.add_factor(None, plan, title="Health")
    officer = client_for(make_person("olu", world.council, first_name="Olu"))
    add = reverse("strategy:plan_add", args=[world.county.slug, plan.pk, "factor"])
    refused = officer.post(add, {"title": "Health"})
    assert refused.status_code == 400 and "reopen it as a draft" in refused.content.decode()
    reopen = reverse("strategy:plan_reopen", args=[world.county.slug, plan.pk])
    assert officer.post(reopen, {"reason": ""}).status_code == 400
    assert officer.post(reopen, {"reason": "Delegated amendment"}).status_code == 302
    plan.refresh_from_db()
    assert not plan.is_approved and plan.approved_on is None
    assert ActivityEvent.objects.filter(verb="reopened", summary__contains="Delegated").exists()
    assert officer.post(add, {"title": "Health"}).status_code == 302
