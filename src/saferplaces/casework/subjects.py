"""Finding a person already known before keying them again: the duplicate-subject check.

A likely duplicate is a subject with the same name and date of birth, or a close match:
the same date of birth and a name that is nearly the same (Jaro-Winkler similarity of the
full names at least 0.88, which catches "Jon"/"John" and one-letter typing slips), the
same name and a date of birth with day and month swapped or one digit different, or a
family name that sounds the same (Metaphone) with the same date of birth. Only subjects
on panels the user may see are searched, so the check discloses nothing new.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

import jellyfish
from django.db.models import Q, QuerySet

from saferplaces.casework.models import Subject

CLOSE_NAME = 0.88
MAX_CANDIDATES = 500


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces: "O'Brien-Smith" → "obrien smith"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^a-z ]+", "", plain.lower().replace("-", " "))
    return " ".join(plain.split())


def name_key(given_name: str, family_name: str) -> str:
    """Spaces and hyphens do not count: "Mc Testface", "Mc-Testface", "McTestface" agree."""
    given, family = (normalise(n).replace(" ", "") for n in (given_name, family_name))
    return f"{given}|{family}"


def sound_key(family_name: str) -> str:
    return jellyfish.metaphone(normalise(family_name).replace(" ", ""))[:40]


@dataclass(frozen=True)
class Match:
    subject: Subject
    reason: str


def _near_dates(dob: datetime.date) -> list[datetime.date]:
    """Day and month swapped, and dates one digit away in the day or the month."""
    near: set[datetime.date] = set()
    candidates = [(dob.year, dob.day, dob.month)]
    candidates += [(dob.year, dob.month, d) for d in range(1, 32)]
    candidates += [(dob.year, m, dob.day) for m in range(1, 13)]
    candidates += [(dob.year + k, dob.month, dob.day) for k in (-10, -1, 1, 10)]
    for year, month, day in candidates:
        try:
            near.add(datetime.date(year, month, day))
        except ValueError:
            continue
    near.discard(dob)
    return sorted(near)


def likely_duplicates(
    subjects: QuerySet[Subject], given_name: str, family_name: str, dob: datetime.date | None
) -> list[Match]:
    """Subjects in ``subjects`` that are probably the person about to be keyed, best first."""
    key, sound = name_key(given_name, family_name), sound_key(family_name)
    wanted = Q(name_key=key)
    if dob is not None:
        wanted |= Q(date_of_birth=dob)
    pool = subjects.filter(wanted)[:MAX_CANDIDATES]
    full = key.replace("|", " ")
    matches: dict[int, Match] = {}
    for subject in pool:
        same_name = subject.name_key == key
        same_dob = dob is not None and subject.date_of_birth == dob
        if same_name and (same_dob or dob is None or subject.date_of_birth is None):
            matches[subject.pk] = Match(
                subject, "same name and date of birth" if same_dob else "same name"
            )
        elif same_dob and (
            subject.sound_key == sound
            or jellyfish.jaro_winkler_similarity(subject.name_key.replace("|", " "), full)
            >= CLOSE_NAME
        ):
            matches[subject.pk] = Match(subject, "same date of birth, similar name")
    if dob is not None:
        for subject in subjects.filter(name_key=key, date_of_birth__in=_near_dates(dob))[:50]:
            matches.setdefault(subject.pk, Match(subject, "same name, similar date of birth"))
    order = {"same name and date of birth": 0, "same date of birth, similar name": 1}
    return sorted(matches.values(), key=lambda m: (order.get(m.reason, 2), m.subject.pk))
