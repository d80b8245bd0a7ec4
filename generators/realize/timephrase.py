"""Time expressions resolved against the date a sentence is said: "last week", "two weeks ago", "back in March"."""

from __future__ import annotations

import random
from datetime import date, datetime

_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six")


def ago(event: date, said: datetime, rng: random.Random) -> str:
    """A phrase for `event` as said on `said` (the event lies in the past), e.g. "two weeks ago"."""
    days = (said.date() - event).days
    if days < 0:
        raise ValueError(f"event {event} is after the moment {said} it is told")
    if days == 0:
        options = ["earlier today", "today"]
    elif days == 1:
        options = ["yesterday"]
    elif days <= 4:
        options = ["a few days ago", f"{_NUMBERS[days]} days ago"]
    elif days <= 10:
        options = ["last week", "about a week ago"]
    elif days <= 17:
        options = ["two weeks ago", "a couple of weeks ago"]
    elif days <= 24:
        options = ["three weeks ago"]
    elif days <= 45:
        options = ["about a month ago"]
    elif days <= 75:
        options = ["a couple of months ago"]
    else:
        options = [f"in {event:%B %Y}"]
    if days > 24 and (event.year, event.month) != (said.year, said.month):
        options.append(f"back in {event:%B}")
    if 2 <= days <= 45:
        options.append(f"on {event:%B} {event.day}")
    return rng.choice(options)


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
