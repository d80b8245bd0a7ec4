"""Sentence templates for the template realizer, several phrasings for each fact, event and reaction.

Fields: {city} {org} {office} {since} (a year) {car} {kind}/{pet} (a pet's kind and name) {partner}, {when}/{When}
(a past time expression) and {ahead}/{Ahead} (a future month), see timephrase; for a mentioned person
{ref}/{Ref} ("my sister Lena", "Lena", "my sister"), {name}, {subj}/{Subj}, {obj}, {pos}/{Pos}.
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
            "{Ref} lives in {city} now, {subj} moved {when}.",
            "{Ref} finally made the move to {city} {when}.",
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
            "{Ref} has a new job, {subj} joined {org} {when}.",
        ),
    },
    "still_lives_in": {
        "self": (
            "Living in {city} is great so far.",
            "I'm really settling in here in {city}.",
            "Life in {city} is treating me well.",
        ),
        "other": (
            "{Ref} is really happy living in {city}.",
            "{Ref} is settling in nicely in {city}.",
            "{Subj}'s really happy in {city}, {ref} tells me.",
        ),
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
            "{Ref} is enjoying the job at {org} more every week.",
        ),
    },
    "job_offer": {
        "self": (
            "I got a job offer from {org} in {city} {when}!",
            "{When} {org} offered me a position at their office in {city}.",
            "So {when} I got an offer from {org}, the job is in {city}.",
            "{org} made me an offer {when}, for a role in their {city} office.",
        ),
        "other": (
            "{Ref} got a job offer from {org} in {city} {when}.",
            "{When} {ref} was offered a job at {org} in {city}.",
            "{Ref} got an offer from {org} {when}, the role is in {city}.",
            "{org} offered {ref} a position in {city} {when}.",
        ),
    },
    "partner_job": {
        "self": (
            "My partner landed a job in {city} {when}.",
            "{When} my partner got hired by a hospital in {city}.",
            "{When} my partner was offered a great job in {city}.",
            "My partner got the job in {city} {when}, the one we were hoping for.",
        ),
        "other": (
            "{When} {ref}'s partner landed a job in {city}.",
            "{Ref}'s partner got a job offer in {city} {when}.",
            "{When} {ref}'s partner was hired by a firm in {city}.",
            "{Ref}'s partner started a new job in {city} {when}.",
        ),
    },
    "study": {
        "self": (
            "I got accepted into a master's programme in {city} {when}!",
            "{When} I got my acceptance letter from the university in {city}.",
            "{When} the university in {city} accepted me into their programme.",
            "I got into grad school in {city} {when}!",
        ),
        "other": (
            "{Ref} got accepted into a master's programme in {city} {when}.",
            "{When} {ref} got into a programme at the university in {city}.",
            "{Ref} was accepted to grad school in {city} {when}.",
            "{Ref} got {pos} acceptance letter from {city} {when}.",
        ),
    },
    "family": {
        "self": (
            "My dad had surgery {when}, and my parents in {city} really need help at home now.",
            "{When} my mum called, my parents in {city} can't manage on their own anymore.",
            "My mum fell {when}, and my parents in {city} need me close by now.",
            "{When} we found out my dad is sick, and my parents in {city} need help.",
        ),
        "other": (
            "{When} {ref}'s parents in {city} started needing help at home.",
            "{Ref}'s dad got sick {when}, and {pos} parents in {city} need help.",
            "{When} {ref}'s mum had a fall at home in {city}.",
            "{Ref}'s parents in {city} started struggling {when}.",
        ),
    },
    "layoffs": {
        "self": (
            "{When} my company announced layoffs, and my whole team was cut.",
            "I lost my job in the layoffs {when}.",
            "{When} I got laid off, the whole department was cut.",
            "My company let half of us go {when}, me included.",
        ),
        "other": (
            "{Ref}'s company had layoffs {when}, and {subj} was let go.",
            "{When} {ref} lost {pos} job in a round of layoffs.",
            "{Ref} got laid off {when}.",
            "{When} {ref}'s company let half the staff go, {obj} included.",
        ),
    },
    "recruited": {
        "self": (
            "A recruiter from {org} reached out to me {when} about a role.",
            "{When} {org} contacted me out of the blue with a job offer.",
            "I got a message from a recruiter at {org} {when}.",
            "{org} headhunted me {when}, can you believe it?",
        ),
        "other": (
            "A recruiter from {org} reached out to {ref} {when}.",
            "{When} {org} contacted {ref} about a job.",
            "{Ref} got headhunted by {org} {when}.",
            "{Ref} heard from a recruiter at {org} {when}.",
        ),
    },
    "commute": {
        "self": (
            "My office moved to the other side of town {when}, and the commute is killing me.",
            "{When} they relocated our office, now I spend two hours a day commuting.",
            "{When} our office moved out to the suburbs, and my commute doubled.",
            "The office relocated {when}, my commute is ninety minutes each way now.",
        ),
        "other": (
            "{Ref}'s office moved {when}, and {pos} commute is awful now.",
            "{When} {ref}'s office moved out of town.",
            "{Ref}'s office relocated {when}, and {subj} commutes for hours now.",
            "{Ref} has a terrible commute since {pos} office moved {when}.",
        ),
    },
    "conference": {
        "self": (
            "{When} I met the team from {org} at a conference, and they asked me to apply.",
            "At a conference {when} some people from {org} tried to recruit me.",
            "I met a manager from {org} at a conference {when}, and she wants me to apply.",
            "{When} at a conference, the people from {org} asked me to join them.",
        ),
        "other": (
            "{When} {ref} met some people from {org} at a conference, and they want {obj} on the team.",
            "{Ref} met the team from {org} at a conference {when}.",
            "At a conference {when}, people from {org} asked {ref} to apply.",
            "{When} {ref} was recruited by {org} at a conference.",
        ),
    },
    "owns": {
        "self": (
            "I've had my {car} since {since}, it still runs great.",
            "My {car} is getting old, I've had it since {since}.",
            "I took my {car} in for a service, it's been with me since {since}.",
            "Still driving the {car} I bought in {since}.",
        ),
        "other": (
            "{Ref} still drives that {car}.",
            "{Ref} has had the same {car} since {since}.",
            "{Ref} just took {pos} {car} in for repairs again.",
            "{Ref} loves {pos} {car}.",
        ),
    },
    "sold": {
        "self": (
            "I sold my {car} {when}.",
            "{When} I finally sold the {car}.",
            "So I sold my {car} {when}, I just don't need it anymore.",
            "The {car} is gone, I sold it {when}.",
        ),
        "other": (
            "{Ref} sold {pos} {car} {when}.",
            "{When} {ref} finally sold the {car}.",
        ),
    },
    "plans_trip": {
        "self": (
            "We're planning a trip to {city} {ahead}.",
            "I'm going to {city} {ahead}, I already booked the flights.",
            "Planning a little trip to {city} {ahead}!",
            "{Ahead} I'm off to {city} for a week.",
        ),
        "other": (
            "{Ref} is planning a trip to {city} {ahead}.",
            "{Ahead} {ref} is off to {city} for a week.",
        ),
    },
    "cancelled_trip": {
        "self": (
            "I cancelled my trip to {city} {when}.",
            "{When} I called off the {city} trip.",
            "The trip to {city} is off, I cancelled it {when}.",
            "So {when} I cancelled the {city} trip, way too much going on.",
        ),
        "other": (
            "{Ref} cancelled {pos} trip to {city} {when}.",
            "{When} {ref} called off the {city} trip.",
        ),
    },
    "started_dating": {
        "self": (
            "I started seeing someone {when}, {pos_partner} name is {partner}!",
            "{When} I went on a first date with {partner}, and now we're together.",
            "So, {partner} and I started dating {when}.",
            "I have a {partner_rel} now! {partner} and I got together {when}.",
        ),
        "other": (
            "{Ref} started dating someone called {partner} {when}.",
            "{When} {ref} got together with {partner}.",
        ),
    },
    "broke_up": {
        "self": (
            "{partner} and I broke up {when}.",
            "{When} {partner} and I split up.",
            "I'm single again, {partner} and I ended things {when}.",
            "It's over with {partner}, we broke up {when}.",
        ),
        "other": (
            "{Ref} and {partner} broke up {when}.",
            "{When} {ref} split up with {partner}.",
        ),
    },
    "adopted": {
        "self": (
            "I adopted a {kind} {when}! The name is {pet}.",
            "{When} I brought home a {kind} called {pet}.",
            "Meet {pet}, the {kind} I adopted {when}.",
            "I got a {kind} {when}, a little one called {pet}.",
        ),
        "other": (
            "{Ref} adopted a {kind} {when}! {Pos} name is {pet}.",
            "{When} {ref} brought home a {kind} called {pet}.",
            "{Ref} has a new {kind} named {pet}, {subj} adopted it {when}.",
            "{Ref} got a {kind} {when}, a little one called {pet}.",
        ),
    },
    "based_in": {
        "self": (
            "{org} is based in {office}, by the way.",
            "{org} has its main office in {office}.",
            "The headquarters of {org} are in {office}.",
            "Fun fact, {org} started out in {office} and the office is still there.",
        ),
        "other": (
            "{org} is based in {office}, by the way.",
            "{org} has its main office in {office}.",
            "The headquarters of {org} are in {office}.",
            "{org} is a {office} company.",
        ),
    },
}

# The listener's reaction right after a statement (names nothing, so it states nothing).
REACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "fact": {
        "self": (
            "Oh nice!",
            "That's [cool|neat].",
            "Good to know!",
            "Oh, I didn't [remember|know] that.",
            "Nice, do you [like|enjoy] it?",
            "[Huh|Oh], I [always wondered|never knew that].",
        ),
        "other": (
            "Oh nice, how does {subj} [like|find] it?",
            "Good for {obj}!",
            "Oh, I didn't know that about {obj}.",
            "[Huh|Oh], does {subj} [like it there|enjoy it]?",
        ),
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
    "sold": {
        "self": ("Oh wow, end of an era!", "Really? You loved that car.", "Makes sense, I guess."),
        "other": ("End of an era for {obj}!", "Huh, I thought {subj} loved that car."),
    },
    "cancelled_trip": {
        "self": ("Oh no, that's a shame!", "Aw, maybe next year.", "That's too bad."),
        "other": ("Oh no, poor {obj}.", "That's a shame for {obj}."),
    },
    "plans_trip": {
        "self": ("Ooh, fun!", "Nice, have you been before?", "So jealous!"),
        "other": ("Ooh, fun for {obj}!", "Nice, has {subj} been before?"),
    },
    "started_dating": {
        "self": ("That's wonderful, I'm so happy for you!", "No way! Tell me everything.", "Aww, that's great news."),
        "other": ("Aww, good for {obj}!", "That's lovely news."),
    },
    "broke_up": {
        "self": ("Oh no, I'm sorry.", "Are you okay?", "That's hard, I'm sorry to hear it."),
        "other": ("Oh no, poor {obj}.", "Is {subj} okay?"),
    },
    "adopted": {
        "self": ("Aw, I love that name!", "Cute! Send me pictures.", "A {kind}! I'm so jealous."),
        "other": ("Aw, I love that name!", "Cute! I bet {subj} is thrilled.", "Oh, send me pictures of the {kind}!"),
    },
    "based_in": {
        "self": ("Oh, I didn't know that.", "Interesting.", "Huh, good to know."),
        "other": ("Oh, I didn't know that.", "Interesting.", "Huh, good to know."),
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

# The owner's follow-up after a change: refers back by description or pronoun only, states nothing new.
FOLLOWUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "moved": {
        "self": (
            "The new place is so much bigger.",
            "I'm still unpacking boxes at the new place.",
            "I miss my old place a bit.",
        ),
        "other": ("{Subj} says the new place is lovely.", "{Subj} is still unpacking, apparently."),
    },
    "changed_job": {
        "self": (
            "That job is a big step up for me.",
            "The new company feels like a good fit.",
            "I don't miss the old company.",
        ),
        "other": ("{Subj} says that job is a big step up.", "{Subj} doesn't miss the old company at all."),
    },
    "adopted": {
        "self": ("The {kind} already rules the house.",),
        "other": ("{Subj} sends me pictures of the {kind} every day.", "The {kind} already rules {pos} house."),
    },
    "sold": {"self": ("Honestly I don't miss the car.",), "other": ("{Subj} doesn't miss the car at all.",)},
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
    "self": (
        "So what's new with you?",
        "How have you been?",
        "Any news on your end?",
        "How are things going?",
        "What's been keeping you busy?",
        "Anything fun happen lately?",
        "Your turn, what's going on with you?",
        "Enough about me, what about you?",
        "What's the latest from your side?",
        "Tell me how life is treating you.",
        "I've been talking too much, how are you?",
        "What did I miss since last time?",
        "Got any news for me?",
        "So, what have you been up to?",
    ),
    "other": (
        "How is your {rel} doing?",
        "How's {name} doing these days?",
        "Any news from your {rel}?",
        "Have you heard from {name} lately?",
        "What's {name} up to these days?",
        "How's your {rel} getting on?",
        "Is {name} still doing okay?",
        "Any updates on {name}?",
    ),
}

GREETINGS: tuple[str, ...] = (
    "[Hey|Hi|Hello] {other}! How have you been?",
    "Hi {other}, long time no [talk|chat|speak]!",
    "{daytime}, {other}!",
    "[Hey|Hiya] {other}, [how's it going|how are things|what's new]?",
    "{other}! [Got a minute|Are you free|Do you have a sec]?",
    "{daytime}! [You around|Are you about], {other}?",
    "[Knock knock|Psst], {other}, [are you there|you busy]?",
)
GREETING_REPLIES: tuple[str, ...] = (
    "Hey {name}! Good, thanks. You?",
    "Hi! Busy, but good.",
    "{daytime}! Great to hear from you.",
    "[Hey|Hi|Oh hi] {name}! [Always|Of course|Sure], [go ahead|I'm here|fire away].",
    "[Hello|Hey] you! [Not bad|Pretty good|All good], [and you|how about you]?",
    "[Ah|Oh], {name}! [I'm here|Right here], [what's up|how are you]?",
)
CLOSINGS: tuple[str, ...] = (
    "I have to run, talk soon!",
    "Okay, I should get going. Bye!",
    "Let's catch up again soon.",
    "[Right|Okay|Alright], I'd better [go|head off|sign off].",
    "[Anyway|Okay], I'll let you [go|get on].",
    "[Talk|Speak] [soon|later|tomorrow maybe], then!",
)
CLOSING_REPLIES: tuple[str, ...] = (
    "Sure, take care!",
    "Bye, talk soon!",
    "Sounds good, see you!",
    "[Night|Bye|Cheers] then!",
    "[Of course|No worries], [go|off you go]!",
    "[See you|Catch you] [soon|later].",
)

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
        ("I read that {city} is one of the best cities to live in.", "Huh, I've never [been|visited|been there]."),
        ("I'd love to visit {city} someday.", "Me too, I hear the [food|coffee|nightlife] is great."),
        ("I could never live somewhere as rainy as {city}.", "Ha, [fair enough|I hear you|you'd melt]."),
        ("Why would anyone move to {city}? Everyone I know wants to leave it.", "Ha, it has its [fans|charms]."),
    ),
    "org": (
        ("I heard {org} is hiring like crazy right now.", "Interesting, [good for them|must be doing well]."),
        ("{org} was in the news again this week.", "Oh? [For what|What happened|Good news or bad]?"),
        ("{org} just opened a new office near me.", "Oh, is it a [nice|fancy|big] building?"),
    ),
    "person": (
        ("{Ref} is coming over for dinner this weekend.", "Fun! Say hi from me."),
        ("{Ref} sent me the funniest video yesterday.", "Ha, forward it to me!"),
        ("I should call {ref}, it's been a while.", "You should, {subj}'d love that."),
    ),
    "thing": (
        ("Dogs are so much work, I could never have one.", "Ha, they're worth it though."),
        ("Car insurance went up again, can you believe it?", "Ugh, [same here|mine too|tell me about it]."),
        ("My neighbour's {kind} keeps barking at night.", "Oh no, that sounds exhausting."),
        ("I saw an old {car} just like the one my dad had.", "Ha, they're everywhere."),
    ),
    "trip": (
        ("I really need a holiday, maybe somewhere like {city}.", "You should go!"),
        ("A friend of mine just got back from {city}, the photos look amazing.", "I've always wanted to go."),
        ("Flights to {city} are so expensive right now.", "Ugh, [tell me about it|everything is]."),
    ),
    "plain": (
        ("Work has been exhausting this week.", "[Hang in there|Nearly the weekend|Poor you]."),
        ("I keep thinking about moving somewhere warmer.", "Don't we all."),
        ("Why does everyone I know change jobs in spring?", "Ha, bonus season, maybe."),
    ),
}
