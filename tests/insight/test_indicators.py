"""Declarative indicator specs: validation, JSON round trip, predicate semantics."""

from __future__ import annotations

import json

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saferplaces.insight.indicators import (
    DEFAULT_INDICATORS,
    Indicator,
    IndicatorError,
    compile_spec,
    matches,
)

CATS = ["burglary", "anti-social-behaviour", "drugs", "deliberate-primary-fire"]
rows = st.lists(
    st.fixed_dictionaries({
        "source": st.sampled_from(["police_uk", "lfb"]),
        "dataset": st.sampled_from(["lancashire", "x"]),
        "category": st.sampled_from(CATS),
        "flags": st.lists(st.sampled_from(["domestic-abuse", "hmo"]), max_size=2),
    }),
    min_size=1, max_size=20,
)  # fmt: skip
specs = st.fixed_dictionaries({}, optional={
    "sources": st.lists(st.sampled_from(["police_uk", "lfb"]), min_size=1, max_size=2),
    "categories": st.lists(st.sampled_from(CATS), min_size=1, max_size=3),
    "exclude_categories": st.lists(st.sampled_from(CATS), min_size=1, max_size=2),
    "flags_any": st.lists(st.sampled_from(["domestic-abuse", "hmo"]), min_size=1, max_size=2),
})  # fmt: skip


def test_validation() -> None:
    with pytest.raises(IndicatorError):
        Indicator("x", "X", spec={"colour": ["red"]})
    with pytest.raises(IndicatorError):
        Indicator("x", "X", spec={"categories": ["not-a-category"]})
    with pytest.raises(IndicatorError):
        Indicator("x", "X", spec={"categories": "burglary"})


def test_json_round_trip() -> None:
    for ind in DEFAULT_INDICATORS:
        assert Indicator.from_dict(json.loads(json.dumps(ind.as_dict()))) == ind


@settings(max_examples=40, deadline=None)
@given(rows, specs)
def test_compiled_predicate_agrees_with_plain_evaluation(
    data: list[dict[str, object]], spec: dict[str, list[str]]
) -> None:
    schema = pa.schema([("source", pa.string()), ("dataset", pa.string()),
                        ("category", pa.string()), ("flags", pa.list_(pa.string()))])  # fmt: skip
    con = ibis.duckdb.connect()
    con.con.register("rows", pa.Table.from_pylist(data, schema=schema))
    t = con.table("rows")
    expr = t.filter(compile_spec(spec, t)).count()
    got = con.con.execute(str(con.compile(expr))).fetchall()[0][0]
    assert got == sum(matches(spec, r) for r in data)
