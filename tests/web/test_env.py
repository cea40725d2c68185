"""Typed settings readers fail loudly on what they cannot understand."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from saferplaces.env import env_weights


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ("harm=2", {"harm": 2.0}),
        (" harm = 2 , volume=0.5 ", {"harm": 2.0, "volume": 0.5}),
    ],
)
def test_weights_read(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: dict[str, float]
) -> None:
    monkeypatch.setenv("W", raw)
    assert env_weights("W") == expected


@pytest.mark.parametrize("raw", ["harm", "harm=x", "harm=-1", "=2", "harm=inf", "harm=nan"])
def test_bad_weights_stop_start_up(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("W", raw)
    with pytest.raises(ImproperlyConfigured, match="name=number pairs"):
        env_weights("W")
