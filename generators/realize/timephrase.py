"""Time expressions said on a date, and their resolution back to dates.

`ago(event, said)` says when a past event happened ("two weeks ago", "last Tuesday", "back in March");
`ahead(month, said)` says which future month a plan is for ("next month", "in June"). `resolve(phrase, said)`
turns any phrase these write back into the range of days it denotes, as said on `said`, so a question can ask
"when" and its answer is checked against the scenario date.
"""

from __future__ import annotations

import calendar
import random
import re
from datetime import date, datetime, timedelta

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six")
_MONTHS = tuple(calendar.month_name)[1:]
_WEEKDAYS = tuple(calendar.day_name)

# phrase -> (days ago at most, days ago at least) for the fixed relative phrases
_SPANS: dict[str, tuple[int, int]] = {
    "earlier today": (0, 0),
    "today": (0, 0),
    "yesterday": (1, 1),
    "a few days ago": (4, 2),
    "last week": (10, 5),
    "about a week ago": (10, 5),
    "two weeks ago": (17, 11),
    "a couple of weeks ago": (17, 11),
    "three weeks ago": (24, 18),
    "about a month ago": (45, 25),
    "a couple of months ago": (75, 46),
    **{f"{_NUMBERS[n]} days ago": (n, n) for n in range(2, 5)},
}


def ago(event: date, said: datetime, rng: random.Random) -> str:
    """A phrase for `event` as said on `said` (the event lies in the past), e.g. "two weeks ago"."""
    days = (said.date() - event).days
    if days < 0:
        raise ValueError(f"event {event} is after the moment {said} it is told")
    options = [p for p, (most, least) in _SPANS.items() if least <= days <= most]
    if days > 75:
        options.append(f"in {event:%B %Y}")
    if days > 24 and (event.year, event.month) != (said.year, said.month) and days < 330:
        options.append(f"back in {event:%B}")
    if 2 <= days <= 6:
        options.append(f"last {event:%A}")
    if 2 <= days <= 45:
        options.append(f"on {event:%B} {event.day}")
    return rng.choice(options)


def ahead(month: date, said: datetime, rng: random.Random) -> str:
    """A phrase for a future month (1 to 11 months after `said`): "next month", "in June"."""
    gap = (month.year - said.year) * 12 + month.month - said.month
    if not 1 <= gap <= 11:
        raise ValueError(f"month {month:%Y-%m} is not 1 to 11 months after {said:%Y-%m-%d}")
    options = [f"in {month:%B}", f"this {month:%B}" if month.year == said.year else f"next {month:%B}"]
    if gap == 1:
        options.append("next month")
    return rng.choice(options)


_PHRASE = re.compile(
    "|".join(
        [
            *(re.escape(p) for p in sorted(_SPANS, key=len, reverse=True)),
            r"(?:in|back in|this|next) (?:" + "|".join(_MONTHS) + r")(?: \d{4})?",
            r"on (?:" + "|".join(_MONTHS) + r") \d{1,2}",
            r"last (?:" + "|".join(_WEEKDAYS) + ")",
            "next month",
        ]
    ),
    re.IGNORECASE,
)


def find(text: str) -> list[str]:
    """The time phrases (as `ago` and `ahead` write them) in a sentence, lower-cased."""
    return [m.group(0).lower() for m in _PHRASE.finditer(text)]


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def resolve(phrase: str, said: datetime) -> tuple[date, date]:
    """The first and last day `phrase` can mean when said on `said` (inclusive); ValueError if it is no phrase
    of ours."""
    text, today = phrase.lower().strip(), said.date()
    if text in _SPANS:
        most, least = _SPANS[text]
        return today - timedelta(days=most), today - timedelta(days=least)
    if text == "next month":
        nxt = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _month_range(nxt.year, nxt.month)
    words = text.split()
    if text.startswith("last ") and words[1].capitalize() in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(words[1].capitalize())) % 7 or 7
        day = today - timedelta(days=back)
        return day, day
    if text.startswith("on ") and len(words) == 3:
        month, day = _MONTHS.index(words[1].capitalize()) + 1, int(words[2])
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        return date(year, month, day), date(year, month, day)
    head, name, *year = text.replace("back in", "back").split()
    month = _MONTHS.index(name.capitalize()) + 1 if name.capitalize() in _MONTHS else None
    if month is None or head not in ("in", "back", "this", "next"):
        raise ValueError(f"not a time phrase: {phrase!r}")
    if year:
        return _month_range(int(year[0]), month)
    if head == "back":  # the latest such month before this one
        return _month_range(today.year if month < today.month else today.year - 1, month)
    if head == "this":
        return _month_range(today.year, month)
    if head == "next":
        return _month_range(today.year + 1, month)
    # plain "in June" names the next such month after this one (plans look ahead)
    return _month_range(today.year if month > today.month else today.year + 1, month)


def month_phrase(month: date, asked: datetime, rng: random.Random) -> str:
    """ "March 2023", or just "March" when asked in the same year (sometimes)."""
    if month.year == asked.year and rng.random() < 0.5:
        return f"{month:%B}"
    return f"{month:%B %Y}"


def day_greeting(when: datetime) -> str:
    if when.hour < 12:
        return "Good morning"
    if when.hour < 17:
        return "Good afternoon"
    return "Good evening"
