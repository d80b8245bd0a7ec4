"""Composed turns: an episode told the way people write to a friend, and elaboration for the short scripted lines.

An episode becomes an exchange of three or four turns. The teller's first turn carries the news as one clause
among an opener, a detail and (half the time) how it felt and a question back; the listener reacts to what was
said and asks a question that fits the episode; the teller answers that question (the feeling when it was asked,
otherwise the follow-up detail), and sometimes the listener closes it. Each part is drawn from its own bank, so
the surface forms multiply instead of repeating; the clause that states the episode comes in a plain and an
indirect form.

What each turn states is returned with it, as ids: `<event id>` for the turn that tells the episode,
`<event id>#feeling` for the turn that says how it felt, `<event id>#more` for the one with the follow-up detail.
Only those turns mention the episode; everything else the banks add is about nothing in the world.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

OPENERS = (
    "[Guess what|Okay, guess what|You'll never guess],", "Okay, [small|quick|tiny] update:", "So,",
    "Oh, I [meant|forgot|wanted] to tell you:", "You'll [like|love|laugh at] this one:", "Funny thing,",
    "Honestly,", "Quick news from my side:", "Not sure I told you, but", "Right, so", "Well,", "Oh!", "Anyway,",
    "Before I forget,", "Something [nice|good|fun] happened:", "So here's my news:", "[Random|Small] thing, but",
    "I [have to|need to|must] tell you,", "[Update|News] from [my end|over here|this side]:",
    "Did I [tell you|mention]?", "Okay so [this is a fun one|get this]:", "Ha, [so|okay],",
)  # fmt: skip
QUESTION_BACKS = (
    "How has your [week|weekend|month] been?", "What have you been up to [lately|since we last talked|these days]?",
    "Have you ever [tried|done] anything like that?", "Anything new [with you|on your side|in your world]?",
    "How are things [on your end|with you|over there]?",
    "Do you have [plans|anything planned|anything fun lined up] for the [next few days|weekend|coming week]?",
    "What about you, anything [exciting|fun|worth telling]?", "Tell me something [good|nice|cheerful] from your side.",
    "How are you holding up[| these days| with everything]?", "Are you keeping busy[| at least| these days]?",
    "Your turn, what's [new|going on|the latest]?",
    "What's been the [best part|highlight] of your [week|month] so far?",
    "Did you [get any rest|get some time to yourself|manage a lie-in] [lately|this week]?",
    "Have you been [doing|feeling] okay?", "Has anything [made you laugh|surprised you] [lately|recently]?",
    "What's [keeping you sane|getting you through] [these days|this week]?",
)  # fmt: skip
FEELING_FORMS = (
    "I'm [honestly|genuinely|really] {feeling}, because {why}.", "I felt {feeling}, if I'm honest, since {why}.",
    "It left me {feeling}; {why}.", "Part of me is still {feeling} about it, because {why}.",
    "I came away {feeling}, [mostly|largely|I think] because {why}.", "Weirdly I was {feeling} the whole time, {why}.",
    "If I'm being real, {feeling}. {why}.", "Mostly {feeling}, you know? {why}.", "I'd go with {feeling}, since {why}.",
    "Strangely {feeling}. I think {why}.", "Kind of {feeling}, to be honest, because {why}.",
    "[The word I keep coming back to|What I'd say] is {feeling}, [because|since] {why}.",
    "{feeling}, [really|mainly]. [I guess|I suppose] {why}.", "In one word? {feeling}. {why}, [you see|basically].",
    "I [didn't expect|wasn't prepared] to feel {feeling}, but {why}.",
)  # fmt: skip
FEELING_ABOUT = (
    "Honestly, the {np} left me {feeling}, because {why}.", "The whole {np} thing made me feel {feeling}; {why}.",
    "With the {np} I was {feeling}, mostly since {why}.", "I'd say {feeling}. The {np} was a lot, and {why}.",
    "About the {np}? {feeling}, to be honest, because {why}.", "Looking back on the {np}, I'm {feeling}: {why}.",
    "The {np}? [It left me|I ended up] {feeling}. {why}.",
)  # fmt: skip
REACTIONS = (
    "Oh wow, that's [great|fantastic|brilliant]!", "No way, that's so [cool|good|fun].", "Ha, I love that.",
    "That sounds [amazing|wonderful|like a blast].", "Oh, that's really something.",
    "Wait, really? That's [brilliant|amazing].", "Aw, that's lovely to hear.", "That's huge, well done.",
    "Oh nice, I'm a little jealous.", "That's so you, honestly.", "Oh, how fun!", "Okay, that made me smile.",
    "Look at you go!", "I'm genuinely impressed.", "Honestly, good for you.",
    "This is the best thing I've heard all [week|day|month].", "Stop, that's adorable.",
    "Okay, I love this for you.", "See, this is why I like talking to you.", "Well, that's a fun surprise.",
    "You never stop, do you?", "Ooh, tell me more.", "That's wild, in a good way.", "I did not see that one coming.",
    "Well done you!", "[Oh|Ah], that [brightened|made] my [morning|evening|day].", "Okay, [color|colour] me impressed.",
    "[Ha|Oh], [you're full of surprises|you kept that quiet].", "[Wow|Whoa], since when are you into that?",
    "That's [so|really] [nice|sweet|cool], [honestly|truly].", "[Nice|Brilliant], you've been busy!",
)  # fmt: skip
FEELING_ASKS = (
    "How did it feel, though?", "And how did you feel about it?", "How was it for you, honestly?",
    "Were you nervous, or just excited?", "How are you feeling about it now?",
    "[Be honest,|Okay but] how did it [actually feel|feel in the moment]?",
    "What was going through your head[| at the time]?", "Did it feel [as good as|like] you [hoped|expected]?",
)  # fmt: skip
MORE_ASKS = {
    "took_up": ("Where do you go for it?", "Where are the sessions?", "Is it far from you?"),
    "practised": ("How long did that take you?", "Where do you practise these days?", "Do you still go weekly?"),
    "activity": ("How did it go?", "What was the best part?", "Would you do it again?"),
    "attended": ("What was the highlight?", "Who did you go with?", "Was it busy?"),
    "read": ("What did you think of it?", "Would you recommend it?", "How did it end, no spoilers?"),
    "cooked": ("Who did you make it for?", "How did it turn out?", "Who got to eat it?"),
    "bought": ("Is it any good?", "Are you happy with it?", "How is it so far?"),
    "weekend_trip": ("What did you get up to there?", "What was the best bit?", "What did you do all weekend?"),
    "photo": ("When did you take it?", "How did you catch that?", "What time of day was that?"),
    "family_news": ("How is everyone taking it?", "How's the family?", "Are you all celebrating?"),
    "health": ("How are you doing now?", "Are you okay?", "How is it going?"),
    "project": ("How did it go in the end?", "Did it go well?", "How did people react?"),
    "volunteered": ("How was it?", "Was it a lot of work?", "What was it like?"),
    "learning": ("How's the teacher?", "Is it fun so far?", "How are the lessons?"),
    "celebrated": ("How did it go?", "Was it a good night?", "Who came?"),
}
MIDDLES = (
    "I did not expect that from you at all.", "You always find the most interesting things to do.",
    "I'm so glad you're doing things for yourself.", "That's the kind of update I like.",
    "I wish I had that kind of energy.", "Somehow that sounds exactly like you.",
    "Okay, I need to hear more.", "I had a feeling you'd get round to it.", "I've always been curious about that.",
    "That must have taken some courage.", "You're making my [week|weekend] look very boring.",
    "My [evenings|weekends] lately have been [sofa|couch] and [tea|takeaway], so I'm [living through you|envious].",
    "I [love|like] that you [just go for|actually do] things.", "[Honestly,|Seriously,] [respect|hats off].",
)  # fmt: skip
CLOSERS = (
    "Love that for you.", "I'm really happy for you.", "Keep me posted!", "You have to show me sometime.",
    "That's the best kind of news.", "Okay, now I want to try it too.", "Good for you, seriously.",
    "[Honestly,|Well,] [that's lovely|how nice].", "[I'm|We're] [so|very] proud of you, [you know|for real].",
    "[Ha,|Aw,] [that's made my day|you've cheered me up].",
)  # fmt: skip
MORE_TAILS = (
    "I'd do it again in a heartbeat.", "It's become a bit of a story I tell everyone.", "I keep thinking about it.",
    "Not what I expected, but I'm not complaining.", "That part was my favourite, honestly.",
    "I'll show you next time you're around.", "It was one of those small good moments.",
    "Anyway, it made my [week|month].", "I'm still smiling about that.", "That's the bit I'll remember.",
    "[You'd have|You would have] [loved|laughed at] it.", "I [wish|kind of wish] you'd been there.",
    "[Next time|One day] I'm [dragging|taking] you with me.",
)  # fmt: skip
ANSWER_LEADS = (
    "Honestly, ", "Well, ", "Oh, ", "", "", "Ha, ", "So far so good: ", "Good question. ", "Mostly this: ",
    "The short version? ", "Let me think. ", "Funny you ask, ", "Put it this way, ", "Oh man, ", "Okay so ",
    "[Hmm|Mm], ", "[Where do I start|Let me see]. ", "[Ah|Oh], the best bit: ",
)  # fmt: skip
CLOSER_TAILS = (
    "We should do something like that together soon.", "I need more of that energy in my life.",
    "You deserve a good stretch after the last few months.", "I'm stealing that idea, by the way.",
    "Tell me the rest next time, I want details.", "It sounds like exactly what you needed.",
    "I'll want to hear how it goes from here.", "Honestly, you inspire me a little.",
    "Now I'm thinking about what I'd even pick.", "I'm saving that story for later.",
    "[Next time|Soon] you [can|have to] tell me [over coffee|in person].",
    "[I'm|Now I'm] [going to|gonna] [be thinking about|daydream about] that [all evening|for days].",
)  # fmt: skip
# the plain clause stating an episode (the teller speaking), per kind; {when} is the time phrase
PLAIN = {
    "took_up": ("{when} I finally started {course} {where}", "I signed up for {course} {where} {when}"),
    "practised": ("you know the {what} thing? {when} I {milestone}", "{when} I {milestone}, all thanks to {what}"),
    "activity": ("{when} I {what}", "I {what} {when} with some friends"),
    "attended": ("{when} I went to {what} with {with}", "I went to {what} {when}, with {with}"),
    "read": ("{when} I finished {what} by {author}, {about}", "I read {what} by {author} {when}, {about}"),
    "cooked": ("{when} I cooked {what}", "I made {what} {when}"),
    "bought": ("{when} I finally bought {what}", "I treated myself to {what} {when}"),
    "weekend_trip": ("{when} I spent {what}", "I went away for {what} {when}"),
    "photo": ("look at this one I took {when}: {what}", "here's a photo from {when}: {what}"),
    "family_news": ("my {rel} {name} {what} {when}", "{when} my {rel} {name} {what}"),
    "health": ("{when} I {what}", "I {what} {when}"),
    "project": ("{when} we {what}", "at work we {what} {when}"),
    "volunteered": ("{when} I {what}", "I {what} {when}"),
    "learning": ("{when} I started {np} to learn {what}", "I signed up for {np} {when}, I want to learn {what}"),
    "celebrated": ("{when} we celebrated {what}", "we celebrated {what} {when}"),
    "favourite": ("my favourite {np} has to be {what}", "if I had to pick a favourite {np}, it's {what}"),
}
# the indirect clause: the same episode, said the way people hint at it (every fact word still there)
INDIRECT = {
    "took_up": ("my evenings belong to {what} now: {when} I joined {course} {where}",),
    "practised": ("all those hours of {what} paid off, {when} I {milestone}",),
    "activity": ("my legs still hurt, {when} I {what}",),
    "attended": ("my ears are still ringing from {what}, I went {when} with {with}",),
    "read": ("I couldn't put down {what} by {author}, finished it {when}, {about}",),
    "cooked": ("my kitchen is a disaster because {when} I cooked {what}",),
    "bought": ("my bank account is crying, {when} I bought {what}",),
    "weekend_trip": ("I'm still tired from {what}, that was {when}",),
    "health": ("sorry if I'm slow to reply, {when} I {what}",),
    "project": ("I can breathe again, {when} we {what}",),
    "volunteered": ("I did something good for once, {when} I {what}",),
    "celebrated": ("I'm still recovering, {when} we celebrated {what}",),
    "family_news": ("the family group chat exploded {when}, my {rel} {name} {what}",),
    "favourite": ("nothing beats {what}, it's my favourite {np} by far",),
}


T = TypeVar("T")
_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")


@lru_cache(maxsize=1 << 13)  # bounded: filled-in templates are new in every dialogue (unbounded grew ~25 kB each)
def _parts(template: str) -> tuple[tuple[str, ...], ...]:
    """`template` cut into literal text (1-tuples) and its `[a|b|c]` groups (the alternatives)."""
    out: list[tuple[str, ...]] = []
    pos = 0
    for m in _ALTERNATIVES.finditer(template):
        out += [(template[pos : m.start()],), tuple(m.group(1).split("|"))]
        pos = m.end()
    return (*out, (template[pos:],))


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """`pick(rng, options)` in a third of the time (one C-level draw instead of Python's rejection sampling; the
    realizer makes tens of thousands of these per dialogue)."""
    return options[int(rng.random() * len(options))]


def expand(template: str, rng: random.Random) -> str:
    """`template` with each `[a|b|c]` group replaced by one of its alternatives (an empty one drops the group):
    one bank line says the same thing in many ways."""
    if "[" not in template:
        return template
    return "".join(p[0] if len(p) == 1 else pick(rng, p) for p in _parts(template))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = _cap(text.strip())
    return text if text[-1:] in ".!?" else text + "."


def episode_turns(
    kind: str, event_id: str, details: dict[str, str], values: dict[str, str], rng: random.Random
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(role, text template, ids stated) for an episode's exchange; role is "owner" (the teller) or "other".

    The texts keep `{when}` for the writer to fill with a time phrase resolved against the session date; `values`
    adds names the banks use (`name`, `rel` for family news)."""
    fields = {**details, **values}
    fields.setdefault("with", "a friend")
    forms = INDIRECT.get(kind, ()) if rng.random() < 0.4 else ()
    core = pick(rng, forms or PLAIN[kind]).format(**{**fields, "when": "{when}"})
    opener = pick(rng, OPENERS) + " " if rng.random() < 0.6 else ""
    first = [_sentence(opener + core)]
    feeling = fields.get("feeling")
    feeling_now = feeling is not None and rng.random() < 0.5
    if "more" in fields and kind not in ("photo",) and rng.random() < 0.25:
        pass  # the detail waits for the question
    if feeling_now:
        first.append(pick(rng, FEELING_FORMS).format(feeling=feeling, why=fields["feeling_why"]))
    if rng.random() < 0.5:
        first.append(pick(rng, QUESTION_BACKS))
    first_ids = (event_id, f"{event_id}#feeling") if feeling_now else (event_id,)
    turns = [("owner", " ".join(first), first_ids)]
    if kind == "favourite":
        turns.append(("other", pick(rng, REACTIONS) + " " + pick(rng, QUESTION_BACKS), ()))
        return turns
    ask_feeling = feeling is not None and not feeling_now
    ask = pick(rng, FEELING_ASKS) if ask_feeling else pick(rng, MORE_ASKS[kind])
    middle = f" {pick(rng, MIDDLES)}" if rng.random() < 0.6 else ""
    turns.append(("other", f"{pick(rng, REACTIONS)}{middle} {ask}", ()))
    if ask_feeling:
        if rng.random() < 0.5 and fields.get("np"):
            form = pick(rng, FEELING_ABOUT)
            answer = form.format(feeling=feeling, why=fields["feeling_why"], np=fields["np"].removeprefix("the "))
        else:
            answer = pick(rng, FEELING_FORMS).format(feeling=feeling, why=fields["feeling_why"])
        turns.append(("owner", answer, (f"{event_id}#feeling",)))
    else:
        more = fields.get("more") or fields.get("where") or ""
        if more:
            lead = pick(rng, ANSWER_LEADS)
            tail = f" {pick(rng, MORE_TAILS)}" if rng.random() < 0.7 else ""
            turns.append(("owner", _sentence(lead + more) + tail, (f"{event_id}#more",)))
    if rng.random() < 0.4:
        turns.append(("other", f"{pick(rng, CLOSERS)} {pick(rng, CLOSER_TAILS)}", ()))
    return [(role, _tidy(expand(text, rng)), ids) for role, text, ids in turns]


# a later session coming back to an episode told before, as people do ("remember how ..."): the plain clause again,
# with its time phrase resolved against the later session, so the turn answers a question about it on its own (the
# leads and tails carry no time phrase of their own: the one in the clause is the only one in the turn)
RECALL_LEADS = (
    "[Remember|Do you remember] how {clause}?", "I was telling [my sister|a coworker|a friend] how {clause}.",
    "I keep thinking back to how {clause}.", "Like I [said|told you|mentioned] before, {clause}.",
    "[Funny|Weird], I was just remembering how {clause}.", "[You know how|Remember when] {clause}?",
    "Not sure if I said, but {clause}.", "It came up at dinner with [my parents|friends] that {clause}.",
)  # fmt: skip
RECALL_TAILS = (
    "Feels like a long time ago now.", "Funny how that stuck with me.", "I'd [happily|gladly] do it again.",
    "It still makes me smile.", "Time flies, honestly.", "I think about it more than I expected.",
    "Anyway, it just came back to me.", "That feels like another life [already|somehow].",
)  # fmt: skip
RECALL_REPLIES = (
    "Of course I remember, you [wouldn't stop|couldn't stop] talking about it!", "Ha, yes, how could I forget?",
    "I do! [Feels like|Seems like] no time at all.", "[Oh|Ah], right, you told me. What brought that up?",
    "Yes! I was [wondering|meaning to ask] about that.", "[Mm|Oh], I'd [almost|nearly] forgotten about that.",
    "I remember. [You seemed|You sounded] so [happy|pleased] back then.",
    "Right, that! [Good times|Those were the days].",
)  # fmt: skip
RECALL_ASKS = (
    "Do you still [think about it|talk about it] [much|a lot]?", "Would you do it [again|all over again]?",
    "What made you think of it [now|just now]?", "Has anything [like it|that good] happened since?",
    "Do you [miss|ever miss] it?", "Is that still [a thing|something you do]?", "Did you ever [post|share] about it?",
    "How do you feel about it [now|looking back]?", "Who else [remembers|still brings it up]?",
)  # fmt: skip
RECALL_CLAUSES = {  # where the plain clauses leave out what it was about (the hobby) or ask a question
    "took_up": ("{when} I got into {what} and started {course} {where}", "I took up {what} {when}, {course} {where}"),
    "practised": ("{when} I {milestone}, all thanks to {what}",),
}
RECALLABLE: frozenset[str] = frozenset(PLAIN) - {"photo", "favourite"}  # a photo is shown once; a favourite is a state


def recall_turns(
    kind: str, event_id: str, details: dict[str, str], values: dict[str, str], rng: random.Random
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(role, text template, ids stated) for a later session's callback to an episode of a `RECALLABLE` kind: the
    teller restates it (every fact word and `{when}` kept: it is evidence on its own) and the listener remembers."""
    fields = {**details, **values}
    fields.setdefault("with", "a friend")
    clauses = RECALL_CLAUSES.get(kind) or [c for c in PLAIN[kind] if "?" not in c and ":" not in c]
    clause = pick(rng, clauses).format(**{**fields, "when": "{when}"})
    text = pick(rng, RECALL_LEADS).format(clause=clause)
    if rng.random() < 0.6:
        text += " " + pick(rng, RECALL_TAILS)
    reply = pick(rng, RECALL_REPLIES) + (" " + pick(rng, RECALL_ASKS) if rng.random() < 0.8 else "")
    turns = [("owner", text, (event_id,)), ("other", reply, ())]
    return [(role, _tidy(expand(text, rng)), ids) for role, text, ids in turns]


_SENTENCE_START = re.compile(r"(?<=[.!?] )([a-z])")


def _tidy(text: str) -> str:
    """Capitalise each sentence's first letter."""
    return _SENTENCE_START.sub(lambda m: m.group(1).upper(), _cap(text))


# elaboration for short scripted lines: it states nothing about the world
AFTER_NEWS = (
    "It still feels a bit [unreal|surreal|strange], to be honest.",
    "I keep going back and forth on how I [feel|should feel] about it.",
    "It's been a lot to [take in|process], but mostly [good|in a good way].",
    "Anyway, that's my [big|main] [update|news] for now.",
    "I wanted you to hear it from me [first|before anyone else].",
    "It's [funny|wild|strange] how fast things [change|move].",
    "I haven't told [many|that many] people yet.", "I'm trying [not to overthink it|to take it one day at a time].",
    "My head is still spinning [a little|a bit|slightly].", "So yes, [busy|eventful|interesting] times over here.",
    "[Honestly,|Truthfully,] I'm still [getting used to|wrapping my head around] it.",
    "You're [one of the first|the first person] I've told, [actually|by the way].",
    "[Life|Everything] has been [moving fast|a bit of a whirlwind] [lately|these past weeks].",
    "I [didn't see|never saw] that coming a [year|few months] ago.", "[Funny|Strange] how these things work out.",
    "[Mum's the word|Keep it quiet] for now, [okay|though].", "[Anyway|So], that's [where I'm at|the state of things].",
    "I [keep|can't stop] [telling people|talking about it], sorry.",
)  # fmt: skip
AFTER_SAYING = (  # after a statement that is not news (a standing fact, a passing remark)
    "Just thought I'd mention it.", "Anyway, [that's that|moving on].", "I keep meaning to say.",
    "[It|That] [came up|crossed my mind] [the other day|earlier|this morning].",
    "[Anyway,|So,] that's [my life in a nutshell|how things stand|the latest from me].",
    "[Just|I just] wanted you to know[| that].", "[It's|That's] been on my mind [a bit|lately].",
    "[Life|Things] [goes|go] on, [I suppose|right]?",
)  # fmt: skip
AFTER_REPLY = (
    "Tell me everything next time we [talk|meet up|speak].", "I want to hear how it [goes|turns out|all plays out].",
    "You always [land on your feet|seem to make it work].",
    "That's a lot, [take it easy on|go easy on|be kind to] yourself.",
    "Let me know if you need [anything|a hand|anything at all].",
    "I'm [glad|happy] you told me[| first|, really].", "I had a [feeling|hunch] something was up.",
    "We should [celebrate|toast to that|raise a glass] soon.",
    "I'll be thinking about that all [day|evening|week] now.", "Keep me [in the loop|posted|updated], okay?",
    "That's a [proper|real] plot twist.",
    "I'm [writing|noting] that down so I don't forget.", "Now I have about [ten|a hundred|a dozen] questions.",
    "[Honestly,|Well,] fair enough.",
    "That puts my [week|little problems] into perspective.", "You should be proud of how you [handled|dealt with] it.",
    "I would have done the same, I [think|reckon].",
    "Give it a few [weeks|months] and it'll feel [normal|like nothing].",
    "I'm here if you want to [talk it through|vent|think out loud].",
    "That's one for the [memory books|diary|scrapbook].",
    "Funny how [life|things] [works|work] out[|, isn't it].",
    "Let's [get coffee|go for a walk|grab lunch] and you can tell me properly.",
    "[Wow,|Huh,] I [need a minute|need to sit with that] [for a second|now].",
    "[That's|What] a [turn-up|development], [honestly|seriously].",
    "[Well,|Okay,] [I'm all ears|you have my full attention].",
)  # fmt: skip


INTERJECTIONS = (  # neutral: they fit good and bad news alike
    "Hmm,", "Okay,", "Honestly,", "Well,", "Right,", "See,", "Listen,", "Okay so,", "Mm,", "Yeah,", "So,", "Look,",
    "Anyway,", "Alright,",
)  # fmt: skip
LEAD_TAILS = (
    "I feel like we haven't [properly caught up|really talked] in [a while|ages|weeks].",
    "I've been [wondering|meaning to ask|curious].", "Tell me [everything|all of it|the lot].",
    "I've been so [wrapped up in|caught up with|buried in] my own [stuff|nonsense|little dramas] lately.",
    "I want the [full|whole|unabridged] [update|story|rundown].",
    "Don't leave [anything|a single thing] out[|, please].",
    "It's been a [minute|while|hot minute][| since I asked].",
    "I was just [thinking|wondering] about that [earlier|today|the other day].",
    "I [realise|just realised] I haven't asked in [ages|a while].",
    "[Go on,|Come on,] [spill|fill me in].", "[I'm curious|Curiosity is killing me], [honestly|to be fair].",
)  # fmt: skip


def _lower_first(text: str, names: frozenset[str] = frozenset()) -> str:
    """`text` to follow a comma: its first letter lower-cased, unless it is the word "I" or starts one of `names`
    (the capitalised names of the world: "Roy is at ...")."""
    first = text.split(" ", 1)[0].strip(",.!?:;'")
    if text.startswith(("I ", "I'")) or first in names or first.removesuffix("'s") in names:
        return text
    return text[:1].lower() + text[1:]


def vary(
    text: str, addressee: str, rng: random.Random, by_name: bool = False, names: frozenset[str] = frozenset()
) -> str:
    """`text` sometimes opened with an interjection and sometimes addressed to `addressee` by name (always, with
    `by_name`; never when it already names them), the way people write; the words that carry meaning stay as they
    were. `names`: the first words of the world's names, which keep their capital."""
    roll = 0.25 + 0.35 * rng.random() if by_name else rng.random()
    if roll < 0.25 and text[:1].isalpha():
        return f"{pick(rng, INTERJECTIONS)} {_lower_first(text, names)}"
    if addressee in text:
        return text
    if roll < 0.45:
        first, _, rest = text.partition(" ")
        if first.endswith((",", "!", ".", "?")) and rest:
            return f"{first[:-1]}, {addressee}{first[-1]} {rest}"
        return f"{addressee}, {_lower_first(text, names)}"
    if roll < 0.6 and text[-1:] in ".!?":
        return f"{text[:-1]}, {addressee}{text[-1]}"
    return text


BEFORE_QUESTION = (
    "Hold on, I did not see that coming.", "Okay, wait, back up a second.", "Oh, that's a lot of news at once.",
    "Huh, I had no idea.", "Wow, okay.", "Oh, that explains a lot, actually.", "Sorry, I'm still catching up.",
    "That's a big one.", "Okay, now I'm curious.", "I have questions.", "Interesting, go on.",
    "Wait, since when?", "Hmm, I wondered about that.", "That's news to me.",
    "[Whoa|Wow], [slow down|one thing at a time].", "[Ha,|Oh,] [I love a good update|updates, yes please].",
    "[Okay,|Right,] [let me get this straight|I'm following].",
)  # fmt: skip
GREET = (
    "I've been meaning to message you [all week|for days|since the weekend].",
    "It feels like [ages|forever|a lifetime] since we [properly talked|had a proper chat].",
    "I was just thinking about you [this morning|on my walk|over breakfast].",
    "Sorry I went quiet for a bit, things got [busy|hectic|a little chaotic].",
    "I finally have a [free evening|quiet hour|moment to myself], so here I am.",
    "I made [tea|coffee|a hot chocolate] and everything, ready to catch up.",
    "[Today|This week] has been [long|strange|oddly slow], so I [need|could use] a [proper natter|good chat].",
    "The [kettle's on|sofa's calling] and I have [nowhere to be|no plans], [perfect|ideal] for a catch-up.",
    "I [saw something|heard a song] that reminded me of you, so [hello|hi]!",
    "[Hope|I hope] you're [well|good|surviving] and [not too busy|not drowning in stuff].",
    "I [owe you|promised you] a [proper|long] message, so [here goes|consider this it].",
    "[Quick|Random] check-in, because [it's been a while|I miss our chats].",
)  # fmt: skip
GREET_REPLY = (
    "I was [hoping|secretly hoping] you'd get in touch.", "Perfect timing, I [just sat down|just got home|was bored].",
    "It's been a [strange|funny|weird|long] few [weeks|days] [here|over here|for me].",
    "I have [so much|a lot|loads] to tell you.",
    "Things have been [up and down|a bit all over the place], but mostly [fine|good|okay].",
    "Honestly, a chat with you is [exactly|just] what I needed[| today| tonight].",
    "[Your message|This] [made me smile|cheered me up] [straight away|right away].",
    "I [was about to|nearly] message you [myself|first], [actually|funnily enough].",
    "[Can't complain|Not bad at all], [all things considered|really].",
    "[I've just|Just] [got in|finished dinner|put my feet up], so [great|good] timing.",
    "[Slowly|Gradually] [getting there|finding my feet], [thanks for asking|as usual].",
    "[Ha,|Oh,] I [was|'ve been] [wondering|thinking] about you too.",
)  # fmt: skip
CLOSE = (
    "This was really [nice|lovely|good], we shouldn't leave it so long next time.",
    "I have an early [start|morning] tomorrow, [sadly|annoyingly|unfortunately].",
    "[Dinner|The oven|My stomach] is calling, but this was [lovely|great|so nice].",
    "Let's pick this up again [in a few days|later this week|soon].",
    "Thanks for [listening to|putting up with] all my [rambling|waffling|chatter].",
    "My [battery|phone] is about to die, so I'll [leave it there|have to go].",
    "[The|My] [laundry|washing|dinner] [needs me|won't do itself], [unfortunately|sadly].",
    "[I'm|Okay, I'm] [falling asleep|fading] [on the sofa|over here], [so|sorry].",
    "[This was|That was] [exactly what I needed|the best part of my day], [honestly|truly].",
    "[Let's|We should] [do this more often|not wait so long next time].",
    "[I should|I'd better] [go and be productive|get something done] [for once|at some point].",
)  # fmt: skip
CLOSE_REPLY = (
    "Always [good|lovely|a joy] [talking|catching up] [to|with] you.",
    "Take care of yourself in the [meantime|mean time|next few days].",
    "[Message|Text] me whenever you [like|want|feel like it].",
    "I'll hold you to that[|, you know].", "[Sleep well|Rest up] when you get [there|the chance].",
    "Same here, this made my [day|evening|week].",
    "[Look after yourself|Be good], [okay|yeah]?", "[Speak|Talk] [soon|later], [I mean it|for real].",
    "[Enjoy the rest of your|Have a good|Have a lovely] [evening|day].",
    "[Thanks for|Loved] [the chat|catching up], [as always|truly].",
)  # fmt: skip
_BANKS = {
    "lead": LEAD_TAILS,
    "news": AFTER_NEWS,
    "owner": AFTER_SAYING,
    "other": AFTER_REPLY,
    "greet": GREET,
    "greet_reply": GREET_REPLY,
    "close": CLOSE,
    "close_reply": CLOSE_REPLY,
}


def elaborate(text: str, bank: str, rng: random.Random, min_words: int = 14) -> str:
    """`text` with a clause or two of feeling, greeting or a question back (from `bank`), when it is shorter than
    `min_words`. A question stays last: the clause goes before it."""
    if len(text.split()) >= min_words and bank not in ("greet", "greet_reply", "close", "close_reply"):
        return text
    if text.endswith("?") and bank == "other":
        return f"{expand(pick(rng, BEFORE_QUESTION), rng)} {text}"
    extra = [pick(rng, _BANKS[bank])]
    if bank == "owner" and rng.random() < 0.5:
        extra.append(pick(rng, QUESTION_BACKS))
    return " ".join([text, *(expand(x, rng) for x in extra)])
