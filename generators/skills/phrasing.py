"""How questions are worded: composed from alternatives, not picked from a short list of templates.

A question pattern is a string with `{field}` slots and `[a|b|c]` choices (nested choices allowed, an empty
choice drops the part): "What did {who} [buy|end up buying|pick up][| at some point]?" is nine questions. A writer
gives direct patterns and, where it has them, embedded ones ("what {who} [bought|picked up]") that an indirect
form wraps ("I'm trying to remember what Anna bought."). Choices are drawn from the writer's seeded `rng`, so the
same seed gives the same words.

The data here is the question side of the episodes in `generators.life`: what an episode kind is called in a
question, and a clause that retells it in the third person ("went kayaking on the river", "cooked a Thai green
curry"), for questions that name the episode without asking for it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SPACES = re.compile(r"\s+")
_BEFORE_PUNCT = re.compile(r"\s+([?.,!])")


def expand(pattern: str, rng: random.Random) -> str:
    """`pattern` with every `[a|b]` replaced by one of its choices (innermost first)."""
    while "[" in pattern:
        pattern = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), pattern)
    return pattern


def _tidy(text: str) -> str:
    text = _BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text).strip())
    return text[:1].upper() + text[1:]


# how people shorten a question word and its verb when they type ("What's", "How'd"); applied now and then
_CONTRACTIONS = {
    "What did": "What'd", "what did": "what'd", "What is": "What's", "what is": "what's", "Where is": "Where's",
    "where is": "where's", "Where did": "Where'd", "where did": "where'd", "How did": "How'd", "how did": "how'd",
    "Who is": "Who's", "who is": "who's", "How is": "How's", "how is": "how's", "When is": "When's",
}  # fmt: skip
_CONTRACTABLE = re.compile(r"\b(" + "|".join(_CONTRACTIONS) + r")\b")
CONTRACTED_SHARE = 0.4


def say(rng: random.Random, patterns: Sequence[str], **values: str) -> str:
    """One of `patterns`, its choices drawn and its fields filled (a field may hold choices too), tidied and
    capitalised; now and then its first question word contracted with its verb."""
    text = _tidy(expand(expand(rng.choice(patterns), rng).format_map(values), rng))
    if rng.random() < CONTRACTED_SHARE:
        text = _CONTRACTABLE.sub(lambda m: _CONTRACTIONS[m.group(1)], text, count=1)
    return text


# how people ask for something they cannot recall: {e} is an embedded question ("what Anna bought")
INDIRECT: tuple[str, ...] = (
    "I'm trying to [remember|recall] {e}.",
    "I can't [remember|recall|quite remember] {e}[.| - do you know?| - any idea?]",
    "Do you [remember|know|happen to know|recall] {e}?",
    "Can you [remind me|tell me|check|look up] {e}?",
    "Could you [remind me|tell me|find out|look up] {e}?",
    "Any idea {e}?",
    "I've [forgotten|lost track of] {e}[. Can you help?|. Any idea?|.]",
    "Help me [remember|recall|work out] {e}.",
    "I was wondering {e}.",
    "Would you [know|remember] {e}?",
    "What I [can't|don't] remember is {e}.",
    "I keep forgetting {e}.",
    "Tell me {e}.",
    "Not sure I [ever|] [caught|took in] {e}.",
    "I [need|want] to [know|check] {e}.",
    "[Do|Did] we ever [talk about|go over] {e}?",
)
INDIRECT_SHARE = 0.18


def ask(rng: random.Random, direct: Sequence[str], embedded: Sequence[str] = (), **values: str) -> str:
    """A question from `direct` patterns or, now and then when there are `embedded` ones, an indirect form."""
    if embedded and rng.random() < INDIRECT_SHARE:
        return say(rng, INDIRECT, e=expand(rng.choice(embedded), rng).format_map(values))
    return say(rng, direct, **values)


_FIRST_PERSON = re.compile(r"\b(I'm|I'd|I've|I|me|my|myself|mine|we'd|we've|we|us|our)\b")


def third_person(text: str, pronouns: tuple[str, str, str]) -> str:
    """An episode's first-person words ("my grandmother's recipe") as said about its teller ("her ...")."""
    subj, obj, pos = pronouns
    self_ = "himself" if obj == "him" else "herself"
    table = {
        "I'm": f"{subj}'s",
        "I'd": f"{subj}'d",
        "I've": f"{subj}'s",
        "I": subj,
        "me": obj,
        "my": pos,
        "myself": self_,
        "mine": "his" if obj == "him" else "hers",
        "we'd": "they'd",
        "we've": "they've",
        "we": "they",
        "us": "them",
        "our": "their",
    }
    return _FIRST_PERSON.sub(lambda m: table[m.group(1)], text)


# an episode retold as a past-tense clause after its teller ("Anna {clause}"): it names the episode, and is used
# only where the question asks something else about it (a feeling, a detail, who told it)
CLAUSE: dict[str, tuple[str, ...]] = {
    "activity": ("{what}",),
    "attended": ("went to {what} with {with}", "went to {what}", "went out to {what}"),
    "read": ("read {title}", "finished {title}", "read the book {title}"),
    "cooked": ("cooked {what}", "made {what}"),
    "bought": ("bought {what}", "got {what}", "picked up {what}"),
    "weekend_trip": ("spent {what}", "went away for {what}"),
    "photo": ("shared the photo of {what}", "sent the picture of {what}"),
    "family_news": ("heard that {pos} {rel} {name} {what}", "found out {name} {what}"),
    "health": ("{what}",),
    "project": ("{what}",),
    "volunteered": ("{what}",),
    "learning": ("started {np}", "signed up for {np}", "started learning {what}"),
    "celebrated": ("celebrated {what}",),
    "took_up": ("took up {what}", "started {course}", "got into {what}"),
    "practised": ("{milestone}",),
}

# other words for the head noun of an episode's noun phrase ("the kayaking outing" -> "the kayaking trip")
HEADS: dict[str, str] = {
    "photo": "[photo|picture|snap]", "course": "[course|classes]", "class": "[class|lesson]",
    "night": "[night|evening]", "festival": "[festival|fest]", "concert": "[concert|gig]", "show": "[show|gig]",
    "session": "[session|lesson]", "match": "[match|game]", "workshop": "[workshop|training session]",
    "outing": "[outing|trip|day out]", "trip": "[trip|ride]", "play": "[play|performance]",
    "launch": "[launch|release]", "fair": "[fair|show]", "hike": "[hike|walk|trek]", "run": "[run|race]",
    "shift": "[shift|stint]", "dinner": "[dinner|meal]", "opening": "[opening|launch night]",
    "tasting": "[tasting|tasting evening]", "reading": "[reading|evening]", "presentation": "[presentation|talk]",
    "report": "[report|write-up]", "redesign": "[redesign|revamp|relaunch]", "weekend": "[weekend|weekend away]",
    "market": "[market|fair]", "couch": "[couch|sofa]", "bike": "[bike|bicycle]", "volunteering":
    "[volunteering|volunteer work]", "picnic": "[picnic|birthday picnic]", "clean-up": "[clean-up|litter pick]",
    "boots": "[boots|walking boots]", "machine": "[machine|maker]", "keyboard": "[keyboard|digital piano]",
}  # fmt: skip


def np_pattern(np: str, pos: str, own: bool = True) -> tuple[str, str]:
    """An episode's noun phrase as choices ("[the|that|her] kayaking [outing|trip|day out]") and without its
    article; a phrase that does not start with "the" stays as it is."""
    if not np.startswith("the "):
        return np, np
    words = np[4:].split(" ")
    if words[-1] in HEADS:
        words[-1] = HEADS[words[-1]]
    bare = " ".join(words)
    return f"[the|the|that{'|' + pos if own else ''}] {bare}", bare
