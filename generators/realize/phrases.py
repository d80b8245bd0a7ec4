"""Sentence templates for the template realizer, several phrasings for each fact, event and reaction.

Fields: {city} {org} {since} (a year) {when}/{When} (a time expression, see timephrase), and for a mentioned
person {ref}/{Ref} ("my sister Lena", "Lena", "my sister"), {name}, {subj}/{Subj}, {obj}, {pos}/{Pos}.
A statement template never names anything beyond what its kind states, so `Turn.expresses` stays exact.
"""

from __future__ import annotations

# What the owner says about themself ("self") or about a person they know ("other"), per kind.
STATEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "lives_in": {
        "self": (
            "I've been living in {city} since {since}.",
            "{city} has been home for me since {since}, and I still love it.",
            "I've lived in {city} since {since}, hard to believe.",
            "Things are quiet here in {city}. I've been here since {since}.",
        ),
        "other": (
            "{Ref} lives in {city}.",
            "{Ref} has been living in {city} since {since}.",
            "{Ref} is based in {city} these days.",
            "{Ref} has lived in {city} for years now.",
        ),
    },
    "works_at": {
        "self": (
            "I've been working at {org} since {since}.",
            "Work at {org} is busy as usual. I've been there since {since}.",
            "I've been at {org} since {since} now.",
            "Still at {org}, it's been since {since}.",
        ),
        "other": (
            "{Ref} works at {org}.",
            "{Ref} has a job at {org}.",
            "{Ref} has been working at {org} since {since}.",
            "{Ref} is at {org}, has been for a while.",
        ),
    },
    "moved": {
        "self": (
            "I moved to {city} {when}!",
            "Big news: I moved to {city} {when}.",
            "{When} I finally packed everything up and moved to {city}.",
            "So I live in {city} now, I moved {when}.",
        ),
        "other": (
            "{Ref} moved to {city} {when}.",
            "{When} {ref} packed up and moved to {city}.",
        ),
    },
    "changed_job": {
        "self": (
            "I started at {org} {when}.",
            "I started my new job at {org} {when}.",
            "New job! I joined {org} {when}.",
            "{When} I had my first day at {org}.",
        ),
        "other": (
            "{Ref} started at {org} {when}.",
            "{Ref} switched jobs, {subj} joined {org} {when}.",
            "{When} {ref} had {pos} first day at {org}.",
        ),
    },
    # a later restatement of the new fact
    "still_lives_in": {
        "self": (
            "Living in {city} is great so far.",
            "I'm really settling in here in {city}.",
            "Life in {city} is treating me well.",
        ),
        "other": ("{Ref} is really happy living in {city}.",),
    },
    "still_works_at": {
        "self": (
            "The new job at {org} is going well.",
            "Things at {org} are going great, the team is lovely.",
            "I'm enjoying working at {org} more every week.",
        ),
        "other": (
            "{Ref} is loving the job at {org}.",
            "{Ref} says things at {org} are going great.",
        ),
    },
    # causes: what happened, never what it led to
    "job_offer": {
        "self": (
            "I got a job offer from {org} in {city} {when}!",
            "{When} {org} offered me a position at their office in {city}.",
            "So {when} I got an offer from {org}, the job is in {city}.",
        ),
        "other": ("{Ref} got a job offer from {org} in {city} {when}.",),
    },
    "partner_job": {
        "self": (
            "My partner landed a job in {city} {when}.",
            "{When} my partner got hired by a hospital in {city}.",
        ),
        "other": ("{When} {ref}'s partner landed a job in {city}.",),
    },
    "study": {
        "self": (
            "I got accepted into a master's programme in {city} {when}!",
            "{When} I got my acceptance letter from the university in {city}.",
        ),
        "other": ("{Ref} got accepted into a master's programme in {city} {when}.",),
    },
    "family": {
        "self": (
            "My dad had surgery {when}, and my parents in {city} really need help at home now.",
            "{When} my mum called, my parents in {city} can't manage on their own anymore.",
        ),
        "other": ("{When} {ref}'s parents in {city} started needing help at home.",),
    },
    "layoffs": {
        "self": (
            "{When} my company announced layoffs, and my whole team was cut.",
            "I lost my job in the layoffs {when}.",
        ),
        "other": (
            "{Ref}'s company had layoffs {when}, and {subj} was let go.",
            "{When} {ref} lost {pos} job in a round of layoffs.",
        ),
    },
    "recruited": {
        "self": (
            "A recruiter from {org} reached out to me {when} about a role.",
            "{When} {org} contacted me out of the blue with a job offer.",
        ),
        "other": ("A recruiter from {org} reached out to {ref} {when}.",),
    },
    "commute": {
        "self": (
            "My office moved to the other side of town {when}, and the commute is killing me.",
            "{When} they relocated our office, now I spend two hours a day commuting.",
        ),
        "other": ("{Ref}'s office moved {when}, and {pos} commute is awful now.",),
    },
    "conference": {
        "self": (
            "{When} I met the team from {org} at a conference, and they asked me to apply.",
            "At a conference {when} some people from {org} tried to recruit me.",
        ),
        "other": ("{When} {ref} met some people from {org} at a conference, and they want {obj} on the team.",),
    },
}

# The listener's reaction right after a statement (names nothing, so it states nothing).
REACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "fact": {
        "self": ("Oh nice!", "That's cool.", "Good to know!", "Oh, I didn't remember that.", "Nice, do you like it?"),
        "other": ("Oh nice, how does {subj} like it?", "Good for {obj}!", "Oh, I didn't know that about {obj}."),
    },
    "moved": {
        "self": ("Wow, congrats on the move!", "That's a big change! How's the new place?", "How are you settling in?"),
        "other": ("Wow, that's a big change for {obj}!", "Is {subj} settling in okay?"),
    },
    "changed_job": {
        "self": (
            "Congrats on the new job!",
            "Oh nice, how are the new colleagues?",
            "That's exciting! How is it so far?",
        ),
        "other": ("Good for {obj}! Does {subj} like it?", "That's exciting for {obj}!"),
    },
    "cause_move": {
        "self": ("No way! Are you going to move?", "Wow. What are you going to do?", "That's big news. Would you go?"),
        "other": ("Wow, is {subj} going to move?",),
    },
    "cause_job": {
        "self": ("Oh, what are you going to do?", "Are you thinking about leaving?", "Hmm, are you tempted?"),
        "other": ("Oh, what is {subj} going to do?", "Is {subj} thinking about switching?"),
    },
    "cause_layoffs": {
        "self": ("Oh no, I'm so sorry!", "That's awful. What's next for you?"),
        "other": ("Oh no, poor {obj}. Is {subj} okay?", "That's rough, I hope {subj} finds something soon."),
    },
    "why_move": {
        "self": ("What made you move?", "Wait, why {city}?", "How come?"),
        "other": ("What made {obj} move?", "How come?"),
    },
    "why_job": {
        "self": ("What made you switch?", "Why the change?", "How come you left?"),
        "other": ("What made {obj} switch?", "Why the change?"),
    },
    "understood": {
        "self": ("That makes sense.", "Ah, that explains it.", "Good call, then."),
        "other": ("Makes sense.",),
    },
}

# The owner's follow-up after telling a cause before the change happened.
PONDER: dict[str, tuple[str, ...]] = {
    "cause_move": (
        "I'm still thinking it over.",
        "Honestly, I'm leaning towards yes.",
        "We'll see, it's a big decision.",
    ),
    "cause_job": ("I'm still thinking it over.", "Honestly, I'm leaning towards yes.", "We'll see."),
    "cause_layoffs": ("I'm already sending out applications.", "I'll be okay, I have some savings."),
}

# The listener's lead-in question before the owner speaks.
LEADS: dict[str, tuple[str, ...]] = {
    "self": ("So what's new with you?", "How have you been?", "Any news on your end?", "How are things going?"),
    "other": ("How is your {rel} doing?", "How's {name} doing these days?", "Any news from your {rel}?"),
}

GREETINGS: tuple[str, ...] = (
    "Hey {other}! How have you been?",
    "Hi {other}, long time no talk!",
    "{daytime}, {other}!",
)
GREETING_REPLIES: tuple[str, ...] = (
    "Hey {name}! Good, thanks. You?",
    "Hi! Busy, but good.",
    "{daytime}! Great to hear from you.",
)
CLOSINGS: tuple[str, ...] = (
    "I have to run, talk soon!",
    "Okay, I should get going. Bye!",
    "Let's catch up again soon.",
)
CLOSING_REPLIES: tuple[str, ...] = ("Sure, take care!", "Bye, talk soon!", "Sounds good, see you!")

SMALL_TALK: tuple[tuple[str, str], ...] = (
    ("I finally tried that new ramen place downtown.", "Oh, was it any good?"),
    ("The weather has been so grey lately.", "Tell me about it, I miss the sun."),
    ("I've been reading a lot of sci-fi recently.", "Any recommendations?"),
    ("Did you catch the game on Sunday?", "No, I missed it! Was it good?"),
    ("I started doing yoga in the mornings.", "Nice, how's that going?"),
    ("My laptop died on me this week.", "Ugh, the worst. Did you lose anything?"),
    ("I've been trying to bake sourdough.", "Ha, how did it turn out?"),
    ("We watched a great documentary about octopuses.", "Ooh, send me the name!"),
    ("I'm so tired this week.", "Same here, it's been a long one."),
    ("I signed up for a pottery class.", "That sounds fun!"),
)

# Talk that shares names and words with the facts but states none of them.
DISTRACTORS: dict[str, tuple[tuple[str, str], ...]] = {
    "city": (
        ("I read that {city} is one of the best cities to live in.", "Huh, I've never been."),
        ("I'd love to visit {city} someday.", "Me too, I hear the food is great."),
        ("I could never live somewhere as rainy as {city}.", "Ha, fair enough."),
        ("Why would anyone move to {city}? Everyone I know wants to leave it.", "Ha, it has its fans."),
    ),
    "org": (
        ("I heard {org} is hiring like crazy right now.", "Interesting, good for them."),
        ("{org} was in the news again this week.", "Oh? For what?"),
        ("{org} just opened a new office near me.", "Oh, is it a nice building?"),
    ),
    "person": (
        ("{Ref} is coming over for dinner this weekend.", "Fun! Say hi from me."),
        ("{Ref} sent me the funniest video yesterday.", "Ha, forward it to me!"),
        ("I should call {ref}, it's been a while.", "You should, {subj}'d love that."),
    ),
    "plain": (
        ("Work has been exhausting this week.", "Hang in there."),
        ("I keep thinking about moving somewhere warmer.", "Don't we all."),
        ("Why does everyone I know change jobs in spring?", "Ha, bonus season, maybe."),
    ),
}
