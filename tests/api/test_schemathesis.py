"""Schemathesis against the live schema: every operation of /api/schema/ (the writes too:
the test's database transaction is rolled back), called with the token of a demo
community safety officer (who may read delivery and casework, change delivery and
import) over the demo partnership, answers no server error and a response that matches
the schema (status documented, body valid). Bounded: EXAMPLES per operation, so the whole
run fits in `make test`.

The schema and the calls go through Django's WSGI handler in this process (schemathesis'
``from_wsgi``), inside the test's database transaction: Django's "close old connections"
hooks are unplugged for the run, as Django's own test client does, so the connection (and
the demo data in its transaction) stays open between requests.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from saferplaces.api.throttling import TokenRateThrottle
from tests.api.conftest import make_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = 20
"""Examples per operation (31 operations): well under a minute on two cores."""
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def same_connection() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_matches_the_schema(
    demo_world: None, same_connection: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100000/minute"})
    headers = {"Authorization": f"Bearer {make_token('officer').text}"}
    app = WSGIHandler()
    raw = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, headers=headers
    ).raw_schema
    schema = schemathesis.openapi.from_dict(with_real_identifiers(raw))
    schema.app = app
    started, tested, examples = time.monotonic(), [], 0
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        calls = _run(operation, headers, statuses)
        tested.append(f"{operation.method.upper()} {operation.path}")
        examples += calls
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nschemathesis: {len(tested)} operations, {examples} examples, "
              f"{elapsed:.1f} s, statuses {dict(sorted(statuses.items()))}")  # fmt: skip
    verbs = {"get", "post", "put", "patch", "delete"}
    assert len(tested) == sum(1 for ops in raw["paths"].values() for verb in ops if verb in verbs)
    assert len(tested) >= 31  # every operation of the API, none skipped
    assert statuses.get(200, 0) > 0


def _identifiers() -> dict[str, list[Any]]:
    """Path → real identifiers of the demo (and one that names nothing), so that the
    record endpoints answer records, not only 404."""
    from saferplaces.casework.models import Case, Panel
    from saferplaces.delivery.models import (
        DeliveryAction,
        FundingStream,
        Initiative,
        QuarterlyReturn,
    )
    from saferplaces.partnership.models import Group, Meeting, Place
    from saferplaces.strategy.models import Plan

    def ids(rows: Any, field: str = "pk", n: int = 4) -> list[Any]:
        rows = rows.objects.all() if hasattr(rows, "objects") else rows
        return list(rows.order_by("pk").values_list(field, flat=True)[:n])

    places = ["west-lancashire", "lancashire", *ids(Place.objects.filter(kind="lsoa"), "slug", 1)]
    return {
        "/api/places/{slug}/": [*places, "nowhere"],
        "/api/groups/{slug}/": [*ids(Group, "slug", 20), "nowhere"],
        "/api/initiatives/{slug}/": [*ids(Initiative, "slug"), "nowhere"],
        "/api/actions/{id}/": [*ids(DeliveryAction), 0],
        "/api/funding-streams/{id}/": [*ids(FundingStream), 0],
        "/api/returns/{id}/": [*ids(QuarterlyReturn), 0],
        "/api/plans/{id}/": [*ids(Plan), 0],
        "/api/meetings/{id}/": [*ids(Meeting), 0],
        "/api/casework/panels/{slug}/": [*ids(Panel, "group__slug", 10), "nowhere"],
        "/api/casework/cases/{reference}/": [*ids(Case, "reference", 10), "NOPE-1"],
    }


def with_real_identifiers(raw: dict[str, Any]) -> dict[str, Any]:
    """The schema with each path parameter drawn from real identifiers (see above)."""
    known = _identifiers()
    schema = copy.deepcopy(raw)
    for path, operations in schema["paths"].items():
        prefix = next((p for p in known if path.startswith(p)), None)
        if prefix is None:
            continue
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = {**parameter["schema"], "enum": known[prefix]}
    return schema


def _run(operation: Any, headers: dict[str, str], statuses: dict[int, int]) -> int:
    calls = [0]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        calls[0] += 1

    check()
    return calls[0]
