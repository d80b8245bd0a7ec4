"""The wording of questions about everyday episodes (`generators.skills.episodes`), as `phrasing` patterns.

Per question form: direct patterns and embedded ones (for "I'm trying to remember ..."). A pattern never names
what it asks for: a `single_hop` question about a purchase does not say what was bought; a feeling question may
retell the episode (`{clause}`), since the feeling is the answer. Fields: {who} {other} {subj} {obj} {pos} {np}
{bare} {with} {title} {name} {rel} {what} {clause} and the episode's details.
"""

from __future__ import annotations

_SOME_TIME = "[| at some point| a while back| once]"

# single_hop: the episode itself (its `what`, or the milestone, the course, the book, the news)
SINGLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bought": (
        (f"What did {{who}} [buy|end up buying|pick up|get {{obj}}self|splash out on]{_SOME_TIME}?",
         "What [was it|was the thing] that {who} [bought|ended up buying|picked up|splashed out on]?",
         "Which [purchase|new thing|buy] did {who} [mention|tell {other} about|bring up|talk about]?",
         "{who} bought something[| a while back| at some point] - what was it?",
         "Has {who} bought anything [worth mentioning|big|new]?",
         "What's the [thing|purchase] {who} [got|bought|picked up][| that time]?",
         "What [new thing|purchase] was {who} [talking about|telling {other} about]?"),
        ("what {who} [bought|ended up buying|picked up]",
         "which [purchase|thing] {who} [mentioned|told {other} about]"),
    ),
    "read": (
        ("Which book did {who} [finish|read|get through|mention reading|talk about]?",
         "What was the [title|name] of the book {who} [read|finished|talked about|was reading]?",
         "Who wrote the book {who} [finished|read|told {other} about|was reading]?",
         "What [book|was the book] {who} [was reading|finished][| a while back]?",
         "What was {who} reading[| a while back| at some point]?",
         "{who} finished a book[| at some point| a while back] - [which one|what was it]?",
         "Any idea which book {who} [read|finished|got through]?"),
        ("which book {who} [finished|read|was reading]", "who wrote the book {who} [finished|read|talked about]",
         "what {who} was reading"),
    ),
    "cooked": (
        ("What did {who} [cook|make|whip up|prepare|serve][| for {pos} guests| for people]?",
         "What dish did {who} [make|cook|try|put together]?",
         "Which [dish|recipe] did {who} [try out|cook|make|attempt]?",
         "What was on the menu when {who} [cooked|had people over]?",
         "What did {who} [make in the kitchen|cook up|have on the stove]?",
         "{who} cooked for [people|guests|friends][| once] - what did {subj} make?"),
        ("what {who} [cooked|made|whipped up]", "which dish {who} [made|cooked|tried]"),
    ),
    "attended": (
        ("What kind of [event|show|night out] did {who} go to with {with}?",
         "Where did {who} and {with} [go|head] [one evening|that night|together]?",
         "What did {who} [go to|go and see|check out] with {with}?",
         "Which [event|show] did {who} [attend|go to|check out][| with {with}]?",
         "{who} went out with {with} - where to?",
         "What was the [event|outing|show] {who} [went to|attended|dragged {with} to]?"),
        ("what {who} went to with {with}", "which [event|show] {who} [went to|attended]",
         "where {who} and {with} went"),
    ),
    "activity": (
        ("What did {who} [get up to|do] on [a|one] day out?",
         "What [fun thing|outing|activity] did {who} [try|do|go on]?",
         "How did {who} spend a day out[| once| that time]?",
         "Which [activity|outing] did {who} [tell {other} about|mention|describe]?",
         "What did {who} [try|do] [for fun|one weekend|on a day off]?",
         "{who} did something [active|different] one day - what was it?"),
        ("what {who} [did|got up to] on [a|that] day out", "which [activity|outing] {who} [tried|went on]"),
    ),
    "weekend_trip": (
        ("Which city did {who} [spend a weekend in|go to for a weekend|visit for a weekend]?",
         "Where did {who} [go|head|escape to] for a [weekend away|short break|weekend trip|couple of days]?",
         "Where was {who}'s weekend [trip|getaway|away]?",
         "What city did {who} [visit|explore] for a weekend?",
         "{who} went away for a weekend - [where to|which city was it]?"),
        ("where {who} [went|spent] [that|a] weekend[| away]", "which city {who} visited for a weekend"),
    ),
    "photo": (
        ("What was in the [photo|picture|snapshot] {who} [shared|sent|posted]?",
         "What did {who}'s [photo|picture] show?",
         "Describe the [photo|picture] {who} [shared|sent {other}].",
         "What did {who} [take a picture of|snap a photo of|photograph]?",
         "What was the [photo|picture] {who} [sent|shared][| with {other}] [of|about]?",
         "{who} shared a [photo|picture][| once] - what was in it?"),
        ("what was in the [photo|picture] {who} [shared|sent]", "what {who}'s [photo|picture] showed"),
    ),
    "family_news": (
        ("What news did {who} share about {pos} {rel}[| {name}]?",
         "What [happened|was new] with {who}'s {rel} {name}?",
         "What did {who} say {name} had [done|been up to]?",
         "What's the [latest|news] on {name}, {who}'s {rel}?",
         "What did {who}'s {rel} {name} [do|get up to|achieve]?",
         "{who} [had|shared] some news about {name} - what was it?",
         "How [is|was] {who}'s {rel} {name} doing - any news?"),
        ("what news {who} shared about {pos} {rel}", "what {who}'s {rel} {name} [did|had done]",
         "what {who} said about {name}"),
    ),
    "health": (
        ("What health [trouble|problem|issue|news] did {who} [mention|bring up|talk about]?",
         "What [happened to|was going on with] {who}'s health?",
         "What was {who} dealing with health-wise?",
         "What did {who} [say|tell {other}] about {pos} health?",
         "Was there something going on with {who}'s health? What?",
         "{who} mentioned a health [thing|issue] - what was it?"),
        ("what was going on with {who}'s health", "what health [issue|news] {who} [mentioned|had]"),
    ),
    "project": (
        ("What did {who} [get done|pull off|accomplish|finish] at work?",
         "What work [milestone|news|achievement] did {who} [mention|share|tell {other} about]?",
         "What [happened|was the big news] at {who}'s [job|work]?",
         "What did {who} say about {pos} [job|work]?",
         "{who} had some work news - what was it?",
         "What was {who} [proud of|busy with] at work?"),
        ("what {who} [got done|pulled off|did] at work", "what work news {who} [had|shared]"),
    ),
    "volunteered": (
        ("What volunteering did {who} do?",
         "How did {who} [give back|help out] [in the community|for a good cause]?",
         "Where did {who} [volunteer|lend a hand|help out]?",
         "What [good cause|charity work|volunteer work] did {who} [help with|spend a day on|do]?",
         "{who} volunteered [once|at some point] - [doing what|where]?"),
        ("where {who} [volunteered|helped out]", "what volunteering {who} did"),
    ),
    "learning": (
        ("What is {who} [learning|studying|taking lessons in]?",
         "What [subject|skill|class] did {who} sign up [for|to learn]?",
         "What did {who} start [learning|taking classes in|studying]?",
         "What did {who} [join|enrol in|sign up for] a [course|class] in?",
         "{who} signed up for a class - [in what|what's it in]?"),
        ("what {who} [is learning|started learning|signed up to learn]", "what {who} [took|joined] a class in"),
    ),
    "celebrated": (
        ("What did {who} celebrate[| with friends]?",
         "What [occasion|event] did {who} [mark|celebrate|throw a party for]?",
         "What was {who} celebrating[| that time| a while back]?",
         "What was the [party|get-together|celebration] {who} [mentioned|had] [for|about]?",
         "{who} [had|threw] a celebration - what for?"),
        ("what {who} [celebrated|was celebrating]", "what the [party|celebration] {who} [had|mentioned] was for"),
    ),
    "favourite": (
        ("What is {who}'s favourite {np}?",
         "Which {np} does {who} [like|love|prefer] [best|most]?",
         "What did {who} [name|say was] {pos} favourite {np}?",
         "If {who} [could pick|had to choose] one {np}, what would it be?",
         "What's {who}'s [go-to|top|number one] {np}?",
         "Does {who} have a favourite {np}? Which?"),
        ("what {who}'s favourite {np} is", "which {np} {who} likes best"),
    ),
    "practised": (
        ("What milestone did {who} reach with {what}?",
         "What did {who} [manage|pull off|achieve] with {what}?",
         "How [is|was] {who} getting on with {what}?",
         "What progress did {who} [make|report] with {what}?",
         "What did {who} [say|tell {other}] about how {what} was going?",
         "Has {who} [done|achieved] anything [big|new] with {what}?",
         "{who}'s been at {what} for a while - what did {subj} [manage|achieve]?"),
        ("what {who} [managed|achieved|pulled off] with {what}", "how {who} was getting on with {what}"),
    ),
    "took_up": (
        ("Where does {who} [do|practise] {what}?",
         "Where did {who} start {what}?",
         "How did {who} get into {what}?",
         "How did {who} [start out|begin] with {what}?",
         "How [and where] did {who} take up {what}?",
         "{who} took up {what} - how did {subj} [start|get going]?"),
        ("where {who} [does|started] {what}", "how {who} got into {what}"),
    ),
}  # fmt: skip

# "What did Anna tell Ben she bought?": the same questions, as what the teller told the other speaker
TOLD: dict[str, str] = {
    "bought": "[bought|had bought|picked up]",
    "read": "[read|had finished|was reading]",
    "cooked": "[cooked|made|had made]",
    "activity": "[did|got up to] on [a|that] day out",
    "photo": "had [photographed|taken a picture of]",
    "health": "was [dealing with|going through]",
    "project": "[did|got done|pulled off] at work",
    "volunteered": "[did|helped with] as a volunteer",
    "learning": "was [learning|studying|taking classes in]",
    "celebrated": "[celebrated|was celebrating]",
    "practised": "[managed|achieved] with {what}",
}
for _kind, _verb in TOLD.items():
    _direct, _embedded = SINGLE[_kind]
    SINGLE[_kind] = (
        (*_direct, f"What did {{who}} [tell|say to|let slip to] {{other}} {{subj}} {_verb}?"),
        (*_embedded, f"what {{who}} told {{other}} {{subj}} {_verb}"),
    )

# single_hop about an episode's follow-up detail (`more`): the episode may be named
MORE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "activity": (
        ("What happened [during|on] {who}'s {bare}?", "How did {bare} go for {who}?",
         "Tell me [about|more about] {who}'s {bare}.", "When {who} {clause}, what happened?",
         "What stood out about {np} for {who}?", "Any funny story from {who}'s {bare}?"),
        ("what happened on {who}'s {bare}", "how {bare} went for {who}"),
    ),
    "weekend_trip": (
        ("What did {who} do during {np}?", "How did {who} spend {np}?",
         "What did {who} get up to on {pos} weekend away?", "When {who} {clause}, what did {subj} do there?"),
        ("what {who} did during {np}", "how {who} spent {np}"),
    ),
    "bought": (
        ("What did {who} say about {np} after [buying|getting] it?", "Is {who} happy with {np}?",
         "How is {np} working out for {who}?", "What did {who} [mention|say] about {pos} new {bare}?"),
        ("what {who} said about {np}", "how {np} is working out for {who}"),
    ),
    "read": (
        ("What did {who} think of {title}?", "What was {who}'s take on {title}?",
         "How did {who} find {title}?", "Did {who} [like|enjoy] {title}?"),
        ("what {who} thought of {title}",),
    ),
    "attended": (
        ("What was the highlight of {np} for {who}?", "What did {who} [remember|love] most about {np}?",
         "How was {np} for {who} and {with}?", "What stood out at {np} for {who}?"),
        ("what the highlight of {np} was for {who}",),
    ),
}  # fmt: skip

# feeling: how the teller felt about the episode (its `feeling` is the answer)
FEELING: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("[How did|How'd] {who} feel [about|after|regarding|over] {np}?",
     "[How did|How'd] {who} feel when {subj} {clause}?",
     "When {who} {clause}, [how did {subj} feel|what was {pos} mood|how was {subj}]?",
     "{who} {clause} - [how did {subj} feel about it|how did {subj} take it|how was that for {obj}]?",
     "What was {who}'s [reaction to|take on|mood after|verdict on] {np}?",
     "[How did|In what state did] {np} leave {who}?",
     "What did {who} tell {other} about [how {subj} felt after|{pos} mood after] {np}?",
     "How was {who} feeling [after|following|over] {np}?",
     "What [emotions|feelings] did {np} [bring up|stir up] for {who}?",
     "How did {who} [take|react to] {np}?",
     "After {who} {clause}, [how was|what was] {pos} mood?",
     "[Looking back|Afterwards], how did {who} [feel about|see] {np}?",
     "So {who} {clause}. How did that [feel|make {obj} feel|sit with {obj}]?",
     "What was {who}'s [mood|state of mind] [once|after] {subj} {clause}?",
     "What [feeling|mood] did {who} [describe|mention] [after|around] {np}?"),
    ("how {who} felt [about|after] {np}", "how {who} felt when {subj} {clause}", "what {who} made of {np}",
     "how {np} left {who} feeling"),
)  # fmt: skip

# aggregation: every episode of a category; {nouns} what the category is called, {pp} / {past} its verb
LIST_WORDS: dict[str, tuple[str, str, str]] = {  # category -> (nouns, past participle, past)
    "hobby": ("[hobbies|pastimes|new hobbies|regular activities]",
              "[taken up|picked up|gotten into|started|begun|gotten hooked on|tried out]",
              "[take up|pick up|start|get into|begin|get hooked on]"),
    "purchase": ("[things|purchases|new things]", "[bought|picked up|splashed out on]", "[buy|pick up|get]"),
    "book": ("books", "[read|finished|gotten through]", "[read|finish|mention reading]"),
    "activity": ("[activities|outings|days out]", "[done|tried|been on]", "[do|try|go on]"),
    "outing": ("[events|shows|evenings out]", "[been to|gone to|attended]", "[go to|attend|check out]"),
    "health": ("[health issues|health problems|health troubles]", "[had|dealt with|gone through]",
               "[have|deal with|mention]"),
    "cooking": ("[dishes|meals|recipes]", "[cooked|made|tried]", "[cook|make|try]"),
    "work": ("[things at work|work milestones|work achievements]", "[done|pulled off|got done]",
             "[pull off|mention|get done]"),
    "celebration": ("[occasions|celebrations]", "[celebrated|marked]", "[celebrate|mark]"),
    "family": ("[pieces of family news|bits of news about family]", "[shared|passed on]", "[share|pass on]"),
    "volunteering": ("[volunteering jobs|good causes|kinds of volunteering]", "[done|helped with]",
                     "[do|help with]"),
    "class": ("[subjects|classes|courses]", "[studied|taken|signed up for]", "[study|take|sign up for]"),
    "photo": ("[photos|pictures]", "[shared|sent]", "[share|send]"),
    "trip": ("[cities|places]", "[visited for a weekend|gone to for weekends]", "[visit for a weekend|go to]"),
    "preference": ("[favourite things|favourites|top picks|all-time favourites|best-loved things|personal favourites]",
                   "[mentioned|named|brought up|listed|owned up to|shared]", "[mention|name|list|bring up|share]"),
}  # fmt: skip
_SPAN = "[| over the months| so far| since {since}| since {since}| since we started talking| over time]"
LIST: tuple[tuple[str, ...], tuple[str, ...]] = (
    (f"What {{nouns}} {{has}} {{who}} {{pp}}{_SPAN}?",
     f"Which {{nouns}} did {{who}} {{past}}{_SPAN}?",
     "[List|Name] the {nouns} {who} {has} {pp}.",
     "{who} {has} {pp} a few {nouns} - which ones?",
     "[Over the months|Since {since}|All in all|Since {since}], what {nouns} {has} {who} {pp}?",
     "What are all the {nouns} {who} {has} {pp}?",
     "Can you [list|name|round up] the {nouns} {who} {has} {pp}?",
     "[Starting|Counting] from {since}, which {nouns} {has} {who} {pp}?",
     "How many {nouns} {has} {who} {pp}, and what were they?",
     "[Run|Walk] me through the {nouns} {who} {has} {pp}.",
     "I'd like a [rundown|list|summary] of the {nouns} {who} {has} {pp}.",
     "[Sum up|Round up|Go through] the {nouns} {who} {has} {pp}[| since {since}].",
     "Since {since}, which {nouns} {has} {who} {pp}?"),
    ("which {nouns} {who} {has} {pp}", "what {nouns} {who} {has} {pp}[| so far]",
     "all the {nouns} {who} {has} {pp}"),
)  # fmt: skip
# hobbies and free time have their own ways to be asked
LIST_EXTRA: dict[str, tuple[str, ...]] = {
    "hobby": (
        "What does {who} do in {pos} free time?",
        "How does {who} spend {pos} free time[| these days]?",
        "What keeps {who} busy outside work?",
    ),
    "preference": ("What are some of {who}'s favourite things?", "What does {who} love most[| in life]?"),
}
# temporal in_month: what the speaker did in a month ({month})
IN_MONTH: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("What did {who} [do|get up to] in {month}?",
     "What was {who} up to [in|during] {month}?",
     "What happened in {who}'s life [in|during] {month}?",
     "What did {who} tell {other} about from {month}?",
     "Back in {month}, what [did {who} do|was {who} up to]?",
     "During {month}, what [did {who} get up to|happened for {who}]?",
     "What [was going on|went on] with {who} [in|during] {month}?",
     "What news did {who} have from {month}?",
     "Anything [new|notable] happen to {who} in {month}?",
     "{month}: what did {who} do?"),
    ("what {who} [did|got up to] in {month}", "what was going on with {who} [in|during] {month}"),
)  # fmt: skip
# speaker_swap: a question that gives the teller's episode to the other speaker ({who}); {clause} in their words
SWAP: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("[How did|How'd] {who} feel [about|regarding|over] {np}?",
     "What did {who} [say about|tell {other} about|say of|think of] {np}?",
     "When did {who} [talk about|bring up|mention] {np}?",
     "What was {who}'s [take on|verdict on|view of] {np}?",
     "{who} {clause}, right? [How was it|How did it go|What was that like]?",
     "When {who} {clause}, [how did it go|what happened|was it any good]?",
     "[Tell me about|Remind me of] the time {who} {clause}.",
     "[How did|How'd] {np} go for {who}?",
     "Wasn't it {who} who {clause}? [How was that|What came of it]?",
     "What did {who} make of {np}?",
     "{who}'s {bare} - how [was it|did it go]?",
     "Was {who} [pleased|happy] with {np}?"),
    ("how {who} felt about {np}", "what {who} said about {np}", "how {np} went for {who}",
     "when {who} {clause}"),
)  # fmt: skip
