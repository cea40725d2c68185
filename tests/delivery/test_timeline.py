"""The action plan's timeline: a day grid for a 3-week plan, a week grid for a long one,
bars from start to due, status in words, today's column (saferplaces.delivery.initiatives)."""

from __future__ import annotations

import datetime

import pytest

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import ActionStatus, Rag
from tests.delivery.initiative_support import add, day, make_plan, make_sparx
from tests.personas import World

pytestmark = pytest.mark.django_db


def test_a_three_week_plan_is_a_day_grid_with_a_bar_an_action(world: World) -> None:
    """Given a plan from Monday 20 October to Sunday 9 November 2014, When its timeline is
    drawn on day 9, Then it has 21 day columns in three weeks, each bar covers its start to
    its due day, and today is the tenth column."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Briefing", world.police, 0, 2)
    b = add(plan, "Go4IT event", world.council, 10, 20, rag=Rag.GREEN)
    tl = services.timeline(plan, day(9))
    assert tl.unit == "day"
    assert len(tl.columns) == (b.due_on - a.starts_on).days + 1 == 21
    assert [w.days for w in tl.weeks] == [7, 7, 7]
    assert (tl.weeks[0].label, tl.weeks[0].short) == ("Week of 20 October 2014", "Week of 20 Oct")
    assert [c.today for c in tl.columns].index(True) == 9
    bars = {bar.action.title: bar for bar in tl.bars}
    assert (bars["Briefing"].before, bars["Briefing"].span, bars["Briefing"].after) == (0, 3, 18)
    assert [on for _, on in bars["Go4IT event"].cells].count(True) == 11
    assert bars["Go4IT event"].dates == "30 October to 9 November 2014"
    assert tl.today_in_span


def test_overdue_is_marked_in_words_and_in_red(world: World) -> None:
    """Given an open action due on day 2 rated green, When drawn on day 5, Then its bar is
    red and says overdue by 3 days; on day 2 it is green and not overdue."""
    plan = make_plan(make_sparx(world))
    add(plan, "Briefing", world.police, 0, 2, rag=Rag.GREEN, status=ActionStatus.IN_PROGRESS)
    late = services.timeline(plan, day(5)).bars[0]
    assert (late.tone, late.overdue) == ("red", True)
    assert late.text == "In progress, RAG green, overdue by 3 days"
    on_time = services.timeline(plan, day(2)).bars[0]
    assert (on_time.tone, on_time.overdue, on_time.text) == (
        "green",
        False,
        "In progress, RAG green",
    )
    assert services.timeline(plan, day(5)).overdue == 1


def test_done_actions_are_done_not_overdue(world: World) -> None:
    plan = make_plan(make_sparx(world))
    add(plan, "Briefing", world.police, 0, 2, status=ActionStatus.DONE, today=day(2))
    bar = services.timeline(plan, day(10)).bars[0]
    assert (bar.tone, bar.overdue, bar.text) == ("done", False, "Done")


def test_a_long_plan_is_a_week_grid(world: World) -> None:
    """Given a plan of 26 weeks, Then its columns are weeks starting on Mondays and a bar
    covers the weeks its dates fall in."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "Freshers' fair", world.council, 0, 3)
    add(plan, "Review", world.council, 170, 180)
    tl = services.timeline(plan, day(0))
    assert tl.unit == "week"
    assert all(c.start.weekday() == 0 for c in tl.columns)
    assert tl.columns[-1].start <= day(180) <= tl.columns[-1].end
    bar = next(b for b in tl.bars if b.action == a)
    assert (bar.before, bar.span) == (0, 1)


def test_an_empty_plan_has_no_grid(world: World) -> None:
    tl = services.timeline(make_plan(make_sparx(world)), day(0))
    assert tl.columns == [] and tl.bars == [] and tl.starts_on is None


def test_today_outside_the_plan_marks_no_column(world: World) -> None:
    plan = make_plan(make_sparx(world))
    add(plan, "Briefing", world.police, 0, 2)
    tl = services.timeline(plan, datetime.date(2026, 12, 4))
    assert not tl.today_in_span and not any(c.today for c in tl.columns)


def test_the_list_sorts_by_due_date_either_way(world: World) -> None:
    """Given actions due on days 5, 2 and 9, Then the list orders them by due date, and
    reversed with -due; a dependency warning travels with its row."""
    plan = make_plan(make_sparx(world))
    a = add(plan, "A", world.council, 0, 5)
    b = add(plan, "B", world.council, 0, 2)
    c = add(plan, "C", world.council, 1, 9, depends_on=[a])
    rows = services.plan_rows(plan, day(3))
    assert [r[0] for r in rows] == [b, a, c]
    assert [r[0] for r in services.plan_rows(plan, day(3), order="-due")] == [c, a, b]
    assert rows[2][2] == ["starts before A is due"]
    assert rows[0][3] is True and rows[1][3] is False
