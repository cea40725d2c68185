"""`saferplaces near_repeat`: the Knox test for a place from the incident store, its
cells checked against every pair of the raw London Fire Brigade file counted one by
one, and police.uk months refused with the reason."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from saferplaces.partnership.models import Place
from tests.insight.test_near_repeat import TOWER_HAMLETS, brute_force, dwelling_fires
from tests.where import import_west_lancashire_autumn_2013, needs_fire

pytestmark = pytest.mark.django_db


def near_repeat(*args: str) -> Any:
    out = io.StringIO()
    call_command("near_repeat", *args, stdout=out)
    text = out.getvalue()
    return json.loads(text) if "json" in args else text


@pytest.mark.shared_data
@needs_fire
def test_cells_equal_brute_force_over_the_raw_file(london_fires: Place) -> None:
    """Given the LFB files imported, When near repeats of dwelling fires in Tower Hamlets
    in 2019 are asked, Then the dwelling-fires file is tested (not added to the festival
    days file), every cell's observed pairs equal the raw file's pairs counted one by one
    (its own eastings and northings), the labels are the exact bands, and the notes name
    the 50 m grid and the dataset left out."""
    answer = near_repeat("--place", "Tower Hamlets", "--category", "dwelling-fire",
                         "--from", "2019-01-01", "--to", "2019-12-31", "--permutations", "99",
                         "--format", "json")  # fmt: skip
    events = dwelling_fires(TOWER_HAMLETS, date(2019, 1, 1), date(2019, 12, 31))
    assert answer["dataset"] == "lfb/dwelling-fires"
    assert answer["events"] == len(events)
    want = brute_force(events, answer["space_labels"], answer["time_labels"])
    columns = len(answer["time_labels"])
    got = [[c["observed"] for c in answer["cells"][r * columns : (r + 1) * columns]]
           for r in range(len(answer["space_labels"]))]  # fmt: skip
    assert got == want
    assert [(c["row"], c["column"]) for c in answer["cells"]] == [
        (r, c) for r in range(len(answer["space_labels"])) for c in range(columns)
    ]
    assert answer["space_labels"][:3] == ["0 m (same place)", "1–100 m", "101–200 m"]
    assert answer["time_labels"] == ["0–7 days", "8–14 days", "15–21 days", "more than 21 days"]
    assert answer["grid_m"] == 50
    assert any("not added in" in n for n in answer["notes"])
    assert any("nearest 50 m" in n for n in answer["notes"])
    assert answer["source"].startswith("Source: London Fire Brigade incident records")
    assert answer["readings"][0].startswith(("A dwelling fire raises", "No near-repeat"))


@pytest.mark.shared_data
@needs_fire
def test_seeded_p_values_repeat_and_the_table_reads(london_fires: Place) -> None:
    """Given the same seed, Then the expected counts and p-values repeat exactly; another
    seed gives other expected counts; the table shows every label, the reading, the
    method and the source."""
    args = ["--place", "Tower Hamlets", "--category", "dwelling-fire", "--from",
            "2020-01-01", "--to", "2020-06-30", "--permutations", "49"]  # fmt: skip
    one = near_repeat(*args, "--seed", "3", "--format", "json")
    two = near_repeat(*args, "--seed", "3", "--format", "json")
    other = near_repeat(*args, "--seed", "4", "--format", "json")
    assert one["cells"] == two["cells"]
    assert [c["expected"] for c in one["cells"]] != [c["expected"] for c in other["cells"]]
    assert all(c["p_value"] >= 1 / 50 for c in one["cells"])
    table = near_repeat(*args, "--seed", "3")
    for label in [*one["space_labels"], *one["time_labels"]]:
        assert label in table
    assert one["readings"][0] in table
    assert "Method: Knox test" in table and "Source: London Fire Brigade" in table


@pytest.mark.shared_data
@needs_fire
def test_other_bands_and_an_empty_period(london_fires: Place) -> None:
    """Given 200 m and 14-day bands, Then the labels follow them; Given a period with no
    dwelling fire held, Then the command refuses and says the test needs two."""
    answer = near_repeat("--place", "Tower Hamlets", "--category", "dwelling-fire",
                         "--from", "2021-01-01", "--to", "2021-03-31", "--space-band", "200",
                         "--space-bands", "2", "--time-band", "14", "--time-bands", "2",
                         "--permutations", "19", "--format", "json")  # fmt: skip
    assert answer["space_labels"] == [
        "0 m (same place)", "1–200 m", "201–400 m", "more than 400 m"
    ]  # fmt: skip
    assert answer["time_labels"] == ["0–14 days", "15–28 days", "more than 28 days"]
    assert sum(c["observed"] for c in answer["cells"]) == answer["pairs"]
    with pytest.raises(CommandError, match="needs at least two"):
        near_repeat("--place", "Tower Hamlets", "--category", "dwelling-fire",
                    "--from", "2030-01-01", "--to", "2030-12-31")  # fmt: skip


def test_police_uk_months_are_refused_with_the_reason() -> None:
    """Given police.uk months for West Lancashire, When near repeats of burglary are
    asked, Then the command refuses: police.uk records only the month of each crime, so
    the days between two cannot be measured, and it says what the test needs."""
    import_west_lancashire_autumn_2013()
    with pytest.raises(CommandError, match="records only the month of each crime") as err:
        near_repeat("--place", "West Lancashire", "--category", "burglary")
    assert "needs each incident's own date" in str(err.value)
    with pytest.raises(CommandError, match="not a date"):
        near_repeat("--place", "West Lancashire", "--category", "burglary", "--from", "2013")
    with pytest.raises(CommandError, match="unknown category"):
        near_repeat("--place", "West Lancashire", "--category", "burglaries-of-cars")
