"""Real human small talk as filler: exchanges from the Chit-Chat Challenge corpus (BYU PCC lab, MIT licence,
PyPI package `chitchat-dataset`), filtered so that no filler turn can state or contradict anything the scenario
world is asked about.

A filler turn is kept only when it names nobody and nothing (no capitalised word but "I", no acronym like "BYU",
no digit, no month or weekday) and uses none of the world's topic words (`BLOCKED`: homes and moves, jobs and
companies, family and partners, pets, cars, trips, and every activity, purchase, health and life-event word the
episodes use). An exchange is a run of consecutive messages by alternating senders, each of 8 to 70 words, all
kept. The pool is ordered by conversation id, so a seed picks the same exchanges everywhere; `take` hands out its
`chatty` half (turns of 14+ words on average) along one seeded permutation, so no two dialogues of a build share an
exchange until those are used up.

`violations(text, names)` is the check every filler turn passes (and tests run on whole builds): the blocked words
and the world's names it finds, empty when the turn is safe. The realizer checks only the world's names
(`names_in`): the pool passed the rest when it was made.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import json
import os
import random
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from generators.life import TOPIC_WORDS

LICENSE = "Chit-Chat Challenge dataset (BYU PCC lab, `chitchat-dataset` on PyPI), MIT licence"

BLOCKED: frozenset[str] = frozenset(
    """
    move moved moving moves relocate relocated relocating house apartment flat rent rented neighborhood neighbourhood
    city town country state live lived living lives home homes hometown address roommate roommates
    job jobs work worked working works workplace company companies office offices boss coworker coworkers colleague
    colleagues career hired hire fired laid layoff layoffs employer employed employee employees intern internship
    salary promotion promoted manager interview interviews recruiter resign resigned quit quitting business shift
    shifts startup
    wife husband girlfriend boyfriend partner dating date dated dates married marry marriage wedding engaged
    fiance fiancee divorce divorced ex crush single relationship relationships
    mom mother dad father parents parent sister sisters brother brothers sibling siblings aunt uncle cousin cousins
    nephew niece grandma grandpa grandmother grandfather grandparents son daughter kid kids child children baby
    family families
    dog dogs cat cats puppy puppies kitten kittens pet pets vet
    car cars truck drive drove driving vehicle bike bicycle
    trip trips travel traveled travelled traveling travelling vacation holiday flight flights fly flew visit
    visited visiting abroad
    school college university class classes professor degree major student students semester graduate graduated
    graduating study studying exam exams finals homework campus
    church mission priest ward quorum bishop mormon temple topic topics window
    birthday anniversary sick ill hospital doctor surgery injury injured hurt pain broke broken
    bought buy buying purchase purchased sold sell selling
    chat app bot conversation conversations challenge message messages
    fuck fucking shit damn hell sex sexy drunk kill die dead death
    """.split()  # noqa: SIM905
)
_MONTHS = frozenset(m.lower() for m in (*calendar.month_name[1:], *calendar.day_name))
_WORD = re.compile(r"[a-z']+")
_ANY_WORD = re.compile(r"[A-Za-z']+")
_NAMEISH = re.compile(r"(?<![.!?]\s)(?<!^)\b(?!I\b|I'[a-z]+\b)[A-Z][a-z]+")
_SPACES = re.compile(r"\s+")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")  # "BYU", "DC": a name unless the corpus writes the word in lower case
_CHAT_ACRONYMS = frozenset({"xd", "lol", "ok", "omg", "haha", "tv", "ai", "pc"})
MIN_WORDS, MAX_WORDS = 7, 70
CHATTY_WORDS = 14


def violations(text: str, names: frozenset[str] = frozenset(), lower: frozenset[str] | None = None) -> list[str]:
    """What makes `text` unsafe as filler: blocked topic words, months and weekdays, digits, proper names, and
    any of `names` (the world's people, places, organisations, things; lower-case), in order of appearance.

    A capitalised word counts as a name unless it starts a sentence or is a word the corpus writes in lower case
    (`lower`, default: the corpus's common lower-case words)."""
    lower = _lower_words() if lower is None else lower
    found = []
    lowered = text.lower()
    for base in _bases(lowered):
        if base in BLOCKED or base in TOPIC_WORDS or base in _MONTHS or base in names:
            found.append(base)
    if any(map(str.isdigit, text)):
        found.append("<digit>")
    found += [f"<name:{m}>" for m in _NAMEISH.findall(text) if m.lower() not in lower]
    found += [f"<name:{m}>" for m in _ACRONYM.findall(text) if m.lower() not in lower | _CHAT_ACRONYMS]
    found += [n for n in names if not n.isalpha() and n in lowered]
    return found


def names_in(text: str, names: frozenset[str]) -> list[str]:
    """The part of `violations` that depends on the world: which of `names` (lower-case) `text` holds. For a text
    of the pool (every other check already passed) it is `violations(text, names)`, at a fraction of the cost."""
    lowered = text.lower()
    tokens = set(_WORD.findall(lowered))
    found = sorted(names & tokens)  # a token with no quote is its own base
    found += [base for base in _bases(" ".join(t for t in tokens if "'" in t)) if base in names]
    return found + [n for n in _spaced(names) if n in lowered]


@lru_cache(maxsize=16)  # one name set per dialogue: a build's worth would never be let go
def _spaced(names: frozenset[str]) -> tuple[str, ...]:
    """The names that are not one plain word ("flores llc", "new york"): found by substring, not by word."""
    return tuple(sorted(n for n in names if not n.isalpha()))


def _bases(lowered: str) -> list[str]:
    """The words of a lower-cased text, without quotes and a possessive "'s"."""
    out = []
    for word in _WORD.findall(lowered):
        base = word.strip("'")
        out.append(base[:-2] if base.endswith("'s") else base)
    return out


def _clean(parts: list[str]) -> str:
    parts = [p.strip() for p in parts if p.strip()]
    parts = [p if p[-1] in ".!?,;:" or k == len(parts) - 1 else p + "." for k, p in enumerate(parts)]
    text = _SPACES.sub(" ", " ".join(parts)).strip()
    text = re.sub(r"\bi\b", "I", text)
    text = re.sub(r"\bi'", "I'", text)
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


@cache
def _corpus() -> dict:
    path = resources.files("chitchat_dataset").joinpath("dataset.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _count_lower(corpus: dict) -> frozenset[str]:
    """Words the corpus writes in lower case at least 20 times and three times as often as capitalised: such a
    word, capitalised, starts a sentence; it is not a name."""
    lower: dict[str, int] = {}
    upper: dict[str, int] = {}
    for conversation in corpus.values():
        for message in conversation.get("messages", []):
            for utterance in message:
                text = utterance.get("text", "") if isinstance(utterance, dict) else ""
                for word in _ANY_WORD.findall(text):
                    counts = lower if word.islower() else upper
                    counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return frozenset(w for w, n in lower.items() if n >= 20 and n >= 3 * upper.get(w, 0))


def _cache_path() -> Path:
    """Where the filtered pool is kept between runs: keyed by the filter (this file) and the corpus's size."""
    corpus = resources.files("chitchat_dataset").joinpath("dataset.json")
    key = hashlib.sha256(Path(__file__).read_bytes() + repr(sorted(TOPIC_WORDS)).encode())
    key.update(str(Path(str(corpus)).stat().st_size).encode())
    root = Path(os.environ.get("MEMDISTILL_CACHE", Path.home() / ".cache" / "memdistill"))
    return root / f"smalltalk-{key.hexdigest()[:16]}.json.gz"


@cache
def _prepared() -> tuple[tuple[tuple[str, ...], ...], frozenset[str]]:
    """The safe exchanges and the corpus's lower-case words, computed from the corpus once and then read from a
    cache file (both: a warm cache never parses the 40 MB corpus; a cache that cannot be written is only slower)."""
    path = _cache_path()
    try:
        cached = json.loads(gzip.decompress(path.read_bytes()))
        return tuple(tuple(x) for x in cached["exchanges"]), frozenset(cached["lower"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    corpus = _corpus()
    lower = _count_lower(corpus)
    exchanges = _filter(corpus, lower)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        payload = {"exchanges": exchanges, "lower": sorted(lower)}
        tmp.write_bytes(gzip.compress(json.dumps(payload).encode(), mtime=0))
        tmp.replace(path)
    except OSError:
        pass
    return exchanges, lower


def _lower_words() -> frozenset[str]:
    return _prepared()[1]


def pool() -> tuple[tuple[str, ...], ...]:
    """Every safe exchange (2 to 6 turns) of the corpus, in conversation-id order."""
    return _prepared()[0]


def _filter(data: dict, lower: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    exchanges: list[tuple[str, ...]] = []
    for key in sorted(data):
        run: list[str] = []
        last_sender = None
        for message in data[key].get("messages", []):
            texts = [u.get("text", "") for u in message if isinstance(u, dict)]
            sender = message[0].get("sender") if message and isinstance(message[0], dict) else None
            text = _clean(texts)
            ok = (
                MIN_WORDS <= len(text.split()) <= MAX_WORDS
                and not violations(text, lower=lower)
                and sender != last_sender
            )
            if ok:
                run.append(text)
                if len(run) == 6:
                    exchanges.append(tuple(run))
                    run = []
            else:
                if len(run) >= 2:
                    exchanges.append(tuple(run))
                run = []
            last_sender = sender
        if len(run) >= 2:
            exchanges.append(tuple(run))
    return tuple(exchanges)


def take(seed: int, dialogue_index: int, count: int) -> list[tuple[str, ...]]:
    """`count` exchanges for dialogue `dialogue_index` of a build seeded `seed`: consecutive slots of one seeded
    permutation of the `chatty` exchanges, so dialogues share none until those run out (then it wraps)."""
    exchanges = chatty()
    order = _permutation(seed, len(exchanges))
    start = dialogue_index * count
    return [exchanges[order[(start + k) % len(order)]] for k in range(count)]


@cache
def chatty() -> tuple[tuple[str, ...], ...]:
    """The exchanges of the pool whose turns average `CHATTY_WORDS` words or more (about half of them): people who
    write a few sentences, as in long-term chats, rather than a line ("haha same")."""
    return tuple(x for x in pool() if sum(len(t.split()) for t in x) >= CHATTY_WORDS * len(x))


@cache
def _permutation(seed: int, size: int) -> tuple[int, ...]:
    order = list(range(size))
    random.Random(seed).shuffle(order)
    return tuple(order)
