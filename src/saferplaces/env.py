"""Typed readers for settings taken from the environment.

Each reader fails loudly on a value it cannot understand, so a typo in a deployment
stops the process at start-up rather than quietly changing behaviour.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_weights(name: str) -> dict[str, float]:
    """Named non-negative numbers, "harm=2,volume=1" ({} when unset)."""
    weights: dict[str, float] = {}
    for item in env_list(name, []):
        key, sep, value = item.partition("=")
        try:
            number = float(value) if sep else -1.0
        except ValueError:
            number = -1.0
        if not key.strip() or not number >= 0 or number == float("inf"):
            raise ImproperlyConfigured(
                f"{name} must be name=number pairs separated by commas, each number 0 or "
                f"more (for example harm=2,volume=1), not {item!r}"
            )
        weights[key.strip()] = number
    return weights


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()


_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
"""The first bytes of a PNG and of a JPEG file."""


def env_image(name: str) -> Path | None:
    """An optional path to a PNG or JPEG image (None when unset or empty). A file that is
    missing, unreadable or not a PNG or JPEG stops start-up, naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        reason = e.strerror or str(e)
        raise ImproperlyConfigured(f"{name}: cannot read {raw!r} ({reason})") from None
    if not head.startswith(_IMAGE_SIGNATURES):
        raise ImproperlyConfigured(f"{name}: {raw!r} is not a PNG or JPEG image")
    return path
