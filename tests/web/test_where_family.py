"""Most similar partnerships (`/places/<slug>/family/`): the peers in the order of
`insight.families.all_families`, "No data" never 0, no funnel when too few partnerships
hold data (the demo's West Lancashire alone), and, with a month of every Lancashire
partnership, funnel limits equal to exact Poisson quantiles computed here with scipy
around a reference rate pooled from counts made here from the raw police.uk files; harm
per 1,000 checked against the raw files; errors as a 400; sign-in required."""

from __future__ import annotations

import html as htmllib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from scipy.stats import poisson

from saferplaces.evidence.services import import_files
from saferplaces.insight import families as fam
from saferplaces.insight.geography import (
    lsoa_population,
    lsoa_to_district,
    lsoas_of,
    pfa_for_force,
    pfa_of_district,
)
from saferplaces.insight.reference_geography import reference_districts
from saferplaces.partnership.models import Place
from tests.where import (
    FY_2014,
    LANCASHIRE,
    WEIGHTS,
    WEST_LANCS,
    needs_lancashire,
    police_crimes,
    text_of,
    upload_weights,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/places/{slug}/family/"
LANCS_MONTHS = ("2021-05", "2021-06")


@pytest.fixture
def west_lancs_only(demo: Place, samples: Path) -> Path:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    return samples


@pytest.fixture
def lancashire(demo: Place) -> list[Path]:
    files = [LANCASHIRE / f"{m}-lancashire-street.csv.gz" for m in LANCS_MONTHS]
    import_files("police-uk", files)
    return files


def _get(c: Client, slug: str = "west-lancashire", **query: str) -> tuple[int, str]:
    response = c.get(URL.format(slug=slug), query)
    return response.status_code, response.content.decode()


def _rows(page: str) -> list[tuple[str, str]]:
    """(code, row HTML) of each row of the family table, in order."""
    table = page.split('id="family-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr class="govuk-table__row[^"]*" data-code="(E\d+)"(.*?)</tr>', table,
                      re.S)  # fmt: skip


def _cell(row: str, name: str) -> str:
    m = re.search(rf"data-{name}>([^<]*)<", row)
    assert m, f"no {name} cell"
    return htmllib.unescape(m.group(1)).strip()


def _spec(page: str) -> dict[str, Any]:
    m = re.search(r'<script id="family-funnel-spec" type="application/json">(.*?)</script>',
                  page, re.S)  # fmt: skip
    assert m, "no funnel spec"
    return dict(json.loads(m.group(1)))


def _raw(files: Iterable[Path], months: set[str]) -> dict[str, Counter[str]]:
    """District → crimes by police.uk crime type in ``months``, of the crimes the import
    keeps (`police_crimes`, read with csv and gzip alone); rows without an LSOA in no
    district."""
    lookup = lsoa_to_district()
    out: dict[str, Counter[str]] = {}
    for row in police_crimes(files, months):
        district = lookup.get(row["LSOA code"])
        if district is not None:
            out.setdefault(district, Counter())[row["Crime type"]] += 1
    return out


def _by_csp(raw: dict[str, Counter[str]]) -> dict[str, Counter[str]]:
    """The same counts by community safety partnership, for those whose every district
    the files hold (a force's file covers only the districts of its own force area: its
    few rows in a neighbour's LSOAs do not make it hold the neighbour)."""
    force_area = pfa_for_force("lancashire")
    raw = {d: n for d, n in raw.items() if pfa_of_district(d) == force_area}
    districts: dict[str, set[str]] = {}
    for d in reference_districts():
        districts.setdefault(d.csp_code, set()).add(d.code)
    out: dict[str, Counter[str]] = {}
    for csp, codes in districts.items():
        if codes <= set(raw):
            out[csp] = sum((raw[c] for c in codes), Counter())
    return out


def _harm_ratio(types: Counter[str]) -> float:
    """Harm per incident (weights as uploaded) of one partnership's crimes."""
    return math.fsum(types[t] * w for t, w in WEIGHTS.items()) / sum(types.values())


# ---------------------------------------------------------------- the tests


def test_anonymous_is_sent_to_sign_in(client: Client, demo: Place) -> None:
    response = client.get(URL.format(slug="west-lancashire"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_west_lancashire_alone_no_funnel_and_peers_as_no_data(
    officer: Client, west_lancs_only: Path
) -> None:
    """Given only West Lancashire's sample months, When its family page is shown for
    2014/15, Then the 15 peers are listed nearest first as all_families orders them, each
    "No data" with the reason (never 0, not ranked), West Lancashire's count equals a
    count made here, and there is no funnel, no band and no reference rate, with why."""
    status, page = _get(officer, period="2014/15")
    assert status == 200
    code = Place.objects.get(slug="west-lancashire").csp_code or ""
    rows = _rows(page)
    expected = [p.code for p in fam.all_families()[code]]
    assert [c for c, _ in rows] == [code, *expected]
    assert len(expected) == 15
    distances = [float(_cell(r, "distance")) for _, r in rows[1:]]
    assert distances == sorted(distances)
    own = _raw(sorted(west_lancs_only.glob("*.csv.gz")), FY_2014)[WEST_LANCS]
    assert _cell(rows[0][1], "count") == f"{sum(own.values()):,}"
    population = sum(lsoa_population(c, 2014) or 0 for c in lsoas_of(WEST_LANCS))
    assert _cell(rows[0][1], "rate") == f"{sum(own.values()) * 1000 / population:,.2f}"
    for _, row in rows[1:]:
        assert "data-no-data" in row
        assert _cell(row, "count").startswith("No data: ")
        assert _cell(row, "rate") == "No data" and "Not banded or ranked" in _cell(row, "band")
        assert _cell(row, "rate") != "0"
    text = text_of(page)
    assert "No funnel plot and no bands: only 1 of the" in text
    assert "fewer than 10 partnerships" in text
    assert 'id="family-funnel-spec"' not in page and "vega-embed" not in page
    assert "Not banded (too few partnerships" in _cell(rows[0][1], "band")
    assert "No rank: none of West Lancashire’s most similar partnerships" in text
    assert "Family rate No data" in text
    assert "population density, urban/rural mix" in text and "z-score" in text
    assert "Source: police.uk" in text
    assert "No harm weights are loaded" in text
    assert 'href="/strategy/harm-weights/"' in page


def test_harm_of_west_lancashire_matches_the_raw_files(
    officer: Client, west_lancs_only: Path, tmp_path: Path
) -> None:
    """Given burglary, vehicle crime and shoplifting weights uploaded, Then West
    Lancashire's harm per 1,000 is Σ crimes × weight / residents × 1,000 counted here,
    its peers without data have no harm figure (never 0), and the categories without a
    weight are named."""
    upload_weights(tmp_path)
    status, page = _get(officer, period="2014/15")
    assert status == 200
    own = _raw(sorted(west_lancs_only.glob("*.csv.gz")), FY_2014)[WEST_LANCS]
    population = sum(lsoa_population(c, 2014) or 0 for c in lsoas_of(WEST_LANCS))
    harm = math.fsum(own[t] * w for t, w in WEIGHTS.items()) * 1000 / population
    rows = _rows(page)
    assert _cell(rows[0][1], "harm") == f"{harm:,.1f}"
    assert all(_cell(r, "harm") == "No data" for _, r in rows[1:])
    text = text_of(page)
    assert f"Harm per 1,000 {harm:.1f}" in text
    assert "ONS Crime Severity Score offence weights (Office for National Statistics, 2020)" in text
    assert "not weighted 0" in text and "Other theft" in text and "Robbery" in text
    assert "No harm weights are loaded" not in text


@needs_lancashire
def test_funnel_limits_are_exact_poisson_around_the_pooled_rate(
    officer: Client, lancashire: list[Path], tmp_path: Path
) -> None:
    """Given two months of every Lancashire partnership, When West Lancashire's family
    is shown for them, Then every partnership whose districts the files all hold is a
    point with the count made here; the reference rate is pooled over them and said to
    be over "N of M" partnerships; every control limit equals scipy's Poisson quantile
    at its population; each member's band follows from those limits; the rank carries
    its interval; and the harm per incident of each member with data matches the files."""
    upload_weights(tmp_path)
    status, page = _get(officer, period="custom", from_month=LANCS_MONTHS[0],
                        to_month=LANCS_MONTHS[-1])  # fmt: skip
    assert status == 200
    raw = _by_csp(_raw(lancashire, set(LANCS_MONTHS)))
    assert len(raw) >= 10
    spec = _spec(page)
    limits, reference, dots = (layer["data"]["values"] for layer in spec["layer"])
    got = {d["name"]: d for d in dots}
    names = {c: m.name for c, m in fam.measures_by_csp().items()}
    assert sorted(got) == sorted(names[c] for c in raw)
    for code, types in raw.items():
        assert got[names[code]]["count"] == sum(types.values())
    total = sum(sum(t.values()) for t in raw.values())
    rate = total / sum(d["population"] for d in dots)  # per person
    assert reference[0]["rate"] == pytest.approx(rate * 1000, rel=1e-12)
    quantiles = {"95% upper": 0.975, "95% lower": 0.025, "99.8% upper": 0.999,
                 "99.8% lower": 0.001}  # fmt: skip
    assert len(limits) >= 4 * 40
    for row in limits:
        n = row["population"]
        expected = poisson.ppf(quantiles[row["line"]], n * rate) * 1000 / n
        assert row["rate"] == pytest.approx(expected, rel=1e-9), row
    text = text_of(page)
    assert f"over the {len(raw)} of the {len(fam.measures_by_csp())} partnerships" in text
    code = Place.objects.get(slug="west-lancashire").csp_code or ""
    rows = dict(_rows(page))
    assert got[names[code]]["role"] == "This partnership"
    members = [code, *(p.code for p in fam.all_families()[code])]
    assert list(rows) == members
    held = [c for c in members if c in raw]
    assert len(held) >= 2
    for c in members:
        if c not in raw:
            assert _cell(rows[c], "rate") == "No data" and _cell(rows[c], "harm") == "No data"
            continue
        d = got[names[c]]
        n, count = d["population"], d["count"]
        r = count * 1000 / n
        bounds = [poisson.ppf(q, n * rate) * 1000 / n for q in (0.001, 0.025, 0.975, 0.999)]
        word = ("below the 99.8% limit" if r < bounds[0] else "below the 95% limit"
                if r < bounds[1] else "above the 99.8% limit" if r > bounds[3]
                else "above the 95% limit" if r > bounds[2] else "within the limits")  # fmt: skip
        assert _cell(rows[c], "band").lower() == word
        assert _cell(rows[c], "rate") == f"{r:,.2f}"
        assert d["role"] in ("This partnership", "Most similar partnerships")
        harm = float(_cell(rows[c], "harm").replace(",", ""))
        assert harm / r == pytest.approx(_harm_ratio(raw[c]), rel=0.01)
    assert re.search(rf"of the {len(held)} partnerships of its family with data", text)
    assert "95% interval" in text and ("anywhere from" in text or "would still be" in text)
    assert 'id="family-funnel-alt"' in page and "Funnel plot:" in text
    assert "not a national rate" in text


def test_errors_are_a_400_with_the_summary(officer: Client, west_lancs_only: Path) -> None:
    for query in ({"period": "nonsense"}, {"period": "2014/15", "indicator": "nope"},
                  {"period": "custom", "from_month": "2014-13"}):  # fmt: skip
        status, page = _get(officer, **query)
        assert status == 400, query
        assert "govuk-error-summary" in page and "There is a problem" in page
    assert "&#x27;nope&#x27; is not one" in _get(officer, indicator="nope")[1]


def test_a_county_is_refused_in_words(officer: Client, west_lancs_only: Path) -> None:
    """Lancashire (the county) is not one partnership: said, not a 500."""
    slug = Place.objects.filter(kind="county").values_list("slug", flat=True).first()
    if slug is None:
        pytest.skip("the demo has no county place")
    status, page = _get(officer, slug=slug, period="2014/15")
    assert status == 200
    assert "No family for" in text_of(page)


@needs_lancashire
def test_partnerships_holding_part_of_the_period_are_not_compared(
    officer: Client, west_lancs_only: Path
) -> None:
    """Given West Lancashire's samples (all of 2014) and Lancashire's files for January
    to November 2014, When the family is shown for 2014, Then only West Lancashire has a
    figure: each partnership holding 11 of the 12 months is "No data" with that reason,
    never an 11-month rate beside a 12-month one."""
    files = sorted(LANCASHIRE.glob("2014-*-lancashire-street.csv.gz"))
    import_files("police-uk", files)
    held = _by_csp(_raw(files, {f.name[:7] for f in files}))
    assert len(files) == 11
    status, page = _get(officer, period="2014")
    assert status == 200
    code = Place.objects.get(slug="west-lancashire").csp_code or ""
    rows = dict(_rows(page))
    assert _cell(rows[code], "months") == "12 of 12"
    names = {c: m.name for c, m in fam.measures_by_csp().items()}
    peers_held = [c for c in rows if c != code and c in held]
    assert peers_held  # some of West Lancashire's family lie in Lancashire
    for c in peers_held:
        assert "data-no-data" in rows[c]
        assert f"{names[c]} holds 11 of the 12 months of 2014" in text_of(rows[c])
    assert "No funnel plot" in text_of(page)
