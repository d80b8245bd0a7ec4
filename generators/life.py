"""Everyday life in a scenario world: dated episodes (hobbies taken up and practised, one-off activities, events
attended, books, cooking, purchases, weekend trips, shared photos, family news, health, work projects,
volunteering, classes, celebrations) and standing preferences, spread over the whole timeline so that the
evidence for a question can sit many sessions back.

Every episode is a `World` event (`kind` below, `subject` a speaker, `args` naming world entities: the place of a
trip, the relative whose news it is) with `details`: plain words the realizer and the question writers share
(`what`: the thing done, as the question's answer; `np`: a noun phrase that names the episode in a question;
`feeling` and `feeling_why`; `more`: one follow-up detail). A hobby is a storyline: `took_up` in one session,
then `practised` (a milestone) in later ones. A preference is a `favourite` episode (no date of its own but the
day it is said).

`TOPIC_WORDS` are the words of all of this; the small-talk filter keeps them out of filler turns.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

# kind -> list-question category (what "What ... has X ...?" gathers)
CATEGORY: dict[str, str] = {
    "took_up": "hobby",
    "practised": "hobby",
    "activity": "activity",
    "attended": "outing",
    "read": "book",
    "cooked": "cooking",
    "bought": "purchase",
    "weekend_trip": "trip",
    "photo": "photo",
    "family_news": "family",
    "health": "health",
    "project": "work",
    "volunteered": "volunteering",
    "learning": "class",
    "celebrated": "celebration",
    "favourite": "preference",
}
KINDS: tuple[str, ...] = tuple(CATEGORY)

# (hobby, how it starts, where, milestones)
HOBBIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("pottery", "a beginner pottery course", "at a small studio by the canal",
     ("made a set of four mugs that actually match", "glazed a big serving bowl", "sold two vases at a craft fair")),
    ("rock climbing", "a bouldering membership", "at the climbing gym downtown",
     ("finished a route graded six", "climbed outdoors on real rock for the first time", "led a whole climb")),
    ("salsa dancing", "Tuesday salsa lessons", "at a dance school above a bakery",
     ("danced a whole song without a misstep", "performed at the school's showcase", "moved up to intermediate")),
    ("watercolour painting", "a watercolour workshop", "in the community arts centre",
     ("framed a painting of the harbour", "filled a whole sketchbook", "had a painting picked for a local exhibition")),
    ("running", "a couch-to-5k running plan", "with a group that meets in the park",
     ("ran ten kilometres without stopping", "finished a half marathon", "beat my own best time by four minutes")),
    ("chess", "an online chess club", "with a club that meets in the library",
     ("won a small rapid tournament", "reached a rating of fifteen hundred", "beat the club's coach once")),
    ("gardening", "a plot in the community garden", "at the allotments behind the station",
     ("harvested the first tomatoes", "grew pumpkins big enough to carve", "won a ribbon for the best herbs")),
    ("photography", "a street photography course", "with a walking group of photographers",
     ("had a photo printed in the local paper", "shot a friend's engagement portraits", "learned to develop film")),
    ("woodworking", "an evening woodworking class", "in a shared workshop",
     ("built a bookshelf that holds weight", "made a cutting board as a gift", "finished a small rocking chair")),
    ("baking bread", "sourdough baking", "in my own kitchen with a starter from a friend",
     ("baked a loaf with a proper open crumb", "sold bread at the farmers market", "taught a friend to bake")),
    ("swimming", "adult swimming lessons", "at the public pool",
     ("swam a full kilometre", "swam in the sea for the first time", "learned a proper flip turn")),
    ("knitting", "knitting", "with a circle that meets in a café",
     ("finished a whole sweater", "knitted a blanket for a friend's baby", "learned to knit socks")),
    ("bird watching", "bird watching", "with a club that walks the marshes",
     ("spotted a kingfisher", "logged fifty species", "led a walk for beginners")),
    ("yoga", "morning yoga classes", "at a studio near the station",
     ("held a headstand for a full minute", "finished a thirty-day challenge", "started teaching a friend")),
    ("the guitar", "guitar lessons", "with a teacher who comes to the house",
     ("played a whole song at an open mic", "learned to play barre chords", "wrote my first song")),
)  # fmt: skip
# (what was done, the noun phrase a question names it by, a detail)
ACTIVITIES: tuple[tuple[str, str, str], ...] = (
    ("went kayaking on the river", "the kayaking outing", "we capsized once and laughed about it all afternoon"),
    ("hiked up to the ridge above the lake", "the ridge hike", "the view at the top was worth every blister"),
    ("ran a charity fun run", "the charity fun run", "they raised money for the children's ward"),
    ("went to an escape room", "the escape room", "we got out with forty seconds left"),
    ("tried stand-up paddleboarding", "the paddleboarding", "I fell in four times before I could stand"),
    ("spent a day at a pottery fair", "the pottery fair", "the stalls went on for ages"),
    ("went camping by the lake", "the camping weekend", "it rained all night but the morning was perfect"),
    ("did a cooking class on dumplings", "the dumpling class", "folding them is much harder than it looks"),
    ("went ice skating", "the ice skating", "I spent more time holding the wall than skating"),
    ("played in a five-a-side football match", "the football match", "our team lost but I scored once"),
    ("went to a wine tasting", "the wine tasting", "I finally understood what people mean by dry"),
    ("cycled along the old railway path", "the cycling trip", "it was flat and quiet the whole way"),
    ("went horse riding", "the horse riding", "the horse clearly knew more than I did"),
    ("tried archery", "the archery session", "I hit the middle of the target once"),
    ("went to a silent disco", "the silent disco", "everyone singing different songs out loud was hilarious"),
    ("went bouldering outdoors for the first time", "the outdoor bouldering", "my fingers were raw by the end"),
    ("did a sunrise walk along the cliffs", "the sunrise walk", "we saw seals on the rocks below"),
    ("went to a pub quiz with old friends", "the pub quiz", "we came second because of one question about rivers"),
    ("tried a trapeze class", "the trapeze class", "hanging upside down was terrifying and brilliant"),
    ("went foraging for mushrooms with a guide", "the mushroom foraging", "half of what we found was poisonous"),
    ("played a round of crazy golf", "the crazy golf", "I lost to a windmill three times"),
    ("went to a pottery painting café", "the pottery painting", "my plate looks like a toddler did it"),
    ("spent a day sailing on the bay", "the sailing day", "the wind picked up and we raced back in"),
    ("did a night walk to look at the stars", "the stargazing walk", "we counted eleven shooting stars"),
    ("went to a karaoke bar", "the karaoke bar", "I sang a ballad badly and loudly"),
)
# (kind of outing, noun phrase, detail)
OUTINGS: tuple[tuple[str, str, str], ...] = (
    ("a jazz concert", "the jazz concert", "the saxophone solo gave me goosebumps"),
    ("a gallery opening", "the gallery opening", "there was a room full of giant paper sculptures"),
    ("a comedy show", "the comedy show", "I laughed so hard I cried"),
    ("an outdoor theatre play", "the outdoor play", "the actors kept going even when it started to drizzle"),
    ("a folk music festival", "the folk festival", "we danced in the grass until late"),
    ("a science museum's late night", "the museum late night", "the planetarium show was stunning"),
    ("a food market", "the food market", "I ate far too many tacos"),
    ("a classical concert", "the classical concert", "the orchestra played a piece I had never heard"),
    ("a poetry reading", "the poetry reading", "one poem was about a grandmother's garden and hit me hard"),
    ("a film festival", "the film festival", "we saw three films back to back"),
    ("a puppet show for grown-ups", "the puppet show", "the puppets were oddly moving"),
    ("an open-air cinema night", "the open-air cinema", "we brought blankets and still froze"),
    ("a dance performance", "the dance performance", "one dancer seemed to float the whole time"),
    ("a craft beer festival", "the beer festival", "every stall had a sillier name than the last"),
    ("a botanical garden's night opening", "the botanical garden night", "the glasshouses were lit up like lanterns"),
    ("a street art tour", "the street art tour", "the guide knew every artist by name"),
)
BOOK_ADJ = ("Silent", "Last", "Hidden", "Long", "Quiet", "Salt", "Paper", "Winter", "Golden", "Broken", "Small")
BOOK_NOUN = ("Harbour", "Orchard", "Lighthouse", "River", "Garden", "Mountain", "Letters", "Island", "Kingdom")
BOOK_TAKES = (
    ("a novel about three sisters running an inn", "the ending surprised me"),
    ("a memoir by a mountain guide", "some chapters made me want to pack a bag"),
    ("a mystery set on a train", "I guessed the culprit way too late"),
    ("a history of how maps were made", "it changed how I look at maps"),
    ("a fantasy novel with talking crows", "the world building is incredible"),
    ("a collection of short stories about neighbours", "every story is a tiny world"),
    ("a thriller about a missing painting", "I read the last hundred pages in one night"),
    ("a biography of a famous chef", "it made me want to cook everything"),
    ("a novel told in letters", "I cried at the last letter"),
    ("a book of essays about walking", "I started taking longer walks because of it"),
)
DISHES: tuple[tuple[str, str], ...] = (
    ("a lasagne from my grandmother's recipe", "the lasagne"),
    ("a Thai green curry", "the green curry"),
    ("homemade ramen with a broth that took all day", "the ramen"),
    ("a lemon tart", "the lemon tart"),
    ("paella in a huge pan", "the paella"),
    ("stuffed peppers", "the stuffed peppers"),
    ("a three-layer chocolate cake", "the chocolate cake"),
    ("fresh pasta with mushrooms", "the fresh pasta"),
    ("a big pot of chilli", "the chilli"),
    ("dumplings from scratch", "the dumplings"),
    ("a slow-roasted lamb shoulder", "the lamb shoulder"),
    ("a huge tray of vegetable lasagne", "the vegetable lasagne"),
    ("banana bread with walnuts", "the banana bread"),
    ("a spicy bean stew", "the bean stew"),
    ("a rhubarb crumble", "the rhubarb crumble"),
    ("sushi rolls for the first time", "the sushi rolls"),
)
GUESTS = (
    "a few friends", "the neighbours", "my book club", "some people from my class", "my cousins", "my flatmates",
    "two old friends from school", "the people I volunteer with", "my running group", "a very hungry friend",
)  # fmt: skip
PURCHASES: tuple[tuple[str, str, str], ...] = (
    ("a secondhand road bike", "the road bike", "it's a bit scratched but it rides beautifully"),
    ("a film camera from a flea market", "the film camera", "it still has the old owner's initials on it"),
    ("a new couch", "the couch", "it took three people to get it up the stairs"),
    ("a good pair of hiking boots", "the hiking boots", "I've been breaking them in around the block"),
    ("an espresso machine", "the espresso machine", "my mornings have completely changed"),
    ("a telescope", "the telescope", "we saw the rings of Saturn on the first night"),
    ("a keyboard piano", "the keyboard", "it has weighted keys, which I didn't know I needed"),
    ("a tent for two", "the tent", "it packs down smaller than a loaf of bread"),
    ("a standing desk", "the standing desk", "my back is already thanking me"),
    ("a record player", "the record player", "I've been digging through my parents' old records"),
    ("a rowing machine", "the rowing machine", "it's taking up half the living room"),
    ("a secondhand sewing machine", "the sewing machine", "I already hemmed three pairs of trousers"),
    ("a big leafy fig tree for the corner", "the fig tree", "it dropped four leaves on day one and I panicked"),
    ("noise-cancelling headphones", "the headphones", "the train is suddenly peaceful"),
    ("a cast iron pan", "the cast iron pan", "I'm still learning how to season it"),
    ("a vintage typewriter", "the typewriter", "the letter e sticks but I love it"),
)
TRIP_DOING = (
    "walked the old town for hours",
    "ate at a tiny place the locals love",
    "took a boat along the coast",
    "spent a whole afternoon in a bookshop",
    "climbed up to the castle",
    "found a market with amazing cheese",
    "rented bikes and rode along the river",
    "got lost in the old streets on purpose",
    "found a tiny bar with only six tables",
    "ate the best pastries of my life at a tiny bakery",
    "watched the sunset from the harbour wall",
    "went to a flea market and bought nothing",
)
PHOTOS: tuple[tuple[str, str], ...] = (
    ("the sunset from my balcony, all orange and pink", "the sunset photo"),
    ("the first flowers on my windowsill", "the windowsill flowers"),
    ("a rainbow over the park", "the rainbow photo"),
    ("the view from the top of the hill behind my place", "the hilltop view"),
    ("a huge bowl of noodles I made", "the noodle photo"),
    ("a mural someone painted on the bridge", "the mural photo"),
    ("the stack of books I just finished", "the stack of books"),
    ("a fox sitting in the garden", "the fox photo"),
    ("frost patterns on my car window", "the frost photo"),
    ("a heron standing in the canal", "the heron photo"),
    ("the fog rolling over the rooftops", "the fog photo"),
    ("a street musician with a tiny dog", "the street musician photo"),
    ("my very first loaf, a bit lopsided", "the lopsided loaf photo"),
    ("a field of sunflowers taller than me", "the sunflower photo"),
)
FAMILY_NEWS: tuple[tuple[str, str], ...] = (
    ("got engaged", "{rel}'s engagement"),
    ("graduated", "{rel}'s graduation"),
    ("ran {pos} first marathon", "{rel}'s marathon"),
    ("opened a little café", "{rel}'s new café"),
    ("had a baby girl", "the new baby"),
    ("won an award for {pos} research", "{rel}'s award"),
    ("bought {pos} first house", "{rel}'s new house"),
    ("turned sixty", "{rel}'s sixtieth"),
)
HEALTH: tuple[tuple[str, str, str], ...] = (
    ("sprained my ankle on the stairs", "the sprained ankle", "I'm hobbling around with a brace"),
    ("had a nasty flu", "the flu", "I slept for most of three days"),
    ("started physiotherapy for my back", "the physiotherapy", "the exercises are boring but they work"),
    ("got glasses for the first time", "the new glasses", "I can suddenly read the street signs"),
    ("had my wisdom teeth out", "the wisdom teeth", "I lived on soup for a week"),
    ("started sleeping better after cutting coffee", "cutting coffee", "the first days were rough"),
    ("pulled a muscle in my shoulder", "the pulled shoulder", "I can't lift my arm above my head yet"),
    ("had a bad bout of hay fever", "the hay fever", "I went through a box of tissues a day"),
    ("started seeing a therapist", "the therapy", "it's been helping more than I thought it would"),
    ("got a tetanus shot after cutting my hand", "the cut hand", "it was only three stitches in the end"),
)
PROJECTS: tuple[tuple[str, str, str], ...] = (
    ("launched the new booking app we'd been building", "the booking app launch", "nothing crashed on day one"),
    ("gave a presentation to the whole department", "the presentation", "my hands were shaking for the first minute"),
    ("finished the big quarterly report", "the quarterly report", "it was forty pages in the end"),
    ("ran my first workshop for new hires", "the workshop", "people actually asked good questions"),
    ("shipped the redesign of our website", "the website redesign", "we argued about the colours for weeks"),
    ("got put in charge of a small team", "leading the team", "it's a lot more talking than I expected"),
    ("moved our whole team onto a new system", "the system migration", "it took three weekends of testing"),
    ("won a pitch against two bigger agencies", "the pitch", "we found out by text at the end of the day"),
    ("trained the new intern", "training the intern", "she asks the best questions"),
    ("organised the company's summer party", "the summer party", "the weather held, miraculously"),
)
VOLUNTEERING: tuple[tuple[str, str, str], ...] = (
    ("volunteered at the animal shelter", "the shelter volunteering", "I walked six very excited dogs"),
    ("helped out at the food bank", "the food bank shift", "we packed more than two hundred boxes"),
    ("joined a beach clean-up", "the beach clean-up", "we filled thirty bags with rubbish"),
    ("read stories at the library's kids' hour", "the story hour", "the kids did all the voices with me"),
    ("helped paint a mural at a school", "the school mural", "I got more paint on me than the wall"),
    ("ran a stall at the school fair", "the school fair stall", "we sold out of cakes by noon"),
    ("helped plant trees in the park", "the tree planting", "we got forty saplings in the ground"),
    (
        "visited an elderly neighbour every week",
        "the neighbour visits",
        "she tells the best stories about the war years",
    ),
    ("helped at a repair café", "the repair café", "I fixed a lamp and felt like a genius"),
)
LEARNING: tuple[tuple[str, str], ...] = (
    ("Spanish", "an evening Spanish course"),
    ("Italian", "an online Italian class"),
    ("sign language", "a sign language course"),
    ("the piano", "piano lessons"),
    ("coding", "a coding bootcamp on weekends"),
    ("first aid", "a first aid course"),
    ("Japanese", "a Japanese class"),
    ("Portuguese", "a Portuguese conversation class"),
    ("pottery glazing", "a glazing workshop"),
    ("the ukulele", "ukulele lessons"),
    ("German", "a German course at the library"),
)
CELEBRATIONS: tuple[tuple[str, str], ...] = (
    ("my birthday with a picnic in the park", "the birthday picnic"),
    ("a friend's promotion with a surprise dinner", "the surprise dinner"),
    ("the end of a long project with karaoke", "the karaoke night"),
    ("our housewarming with a potluck", "the housewarming"),
    ("midsummer with a bonfire on the beach", "the bonfire"),
    ("a friend's engagement with a big dinner", "the engagement dinner"),
    ("finishing my exams with a night out", "the night out"),
    ("the first day of summer with a barbecue", "the barbecue"),
    ("our tenth year of friendship with a picnic", "the friendship picnic"),
)
FAVOURITES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("food", ("ramen", "tacos", "dumplings", "pizza margherita", "pad thai", "lentil soup")),
    ("season", ("autumn", "spring", "winter", "summer")),
    ("kind of music", ("jazz", "old soul records", "folk", "indie rock", "classical piano")),
    ("movie", ("Spirited Away", "The Grand Budapest Hotel", "Paddington 2", "Amelie", "Arrival")),
    ("way to spend a Sunday", ("a long walk and a slow breakfast", "reading in bed", "a farmers market trip")),
    ("dessert", ("tiramisu", "apple crumble", "cheesecake", "mango sorbet")),
)
FEELINGS: tuple[tuple[str, str], ...] = (
    ("proud", "it took a lot of work to get there"),
    ("nervous", "I had no idea what to expect"),
    ("thrilled", "it was better than I had hoped"),
    ("exhausted but happy", "it took everything I had"),
    ("a bit disappointed", "it didn't go quite the way I pictured"),
    ("relieved", "I'd been worrying about it for a while"),
    ("calm", "it was exactly the break I needed"),
    ("grateful", "so many people helped along the way"),
    ("embarrassed at first", "I was by far the worst one there"),
    ("inspired", "it gave me so many ideas"),
    ("homesick", "it reminded me of where I grew up"),
    ("overwhelmed", "there was so much going on at once"),
)


# more reasons for each feeling (FEELINGS' own reason is the first)
FEELING_WHYS: dict[str, tuple[str, ...]] = {
    "proud": ("I didn't give up when it got hard", "a year ago I couldn't have done it", "I did it all myself"),
    "nervous": ("everyone else seemed to know what they were doing", "I hate being watched", "it was all so new"),
    "thrilled": ("it all came together at the last minute", "I've wanted it for ages", "it went perfectly"),
    "exhausted but happy": ("I barely slept the night before", "it went on for hours", "I gave it everything"),
    "a bit disappointed": (
        "I'd built it up too much in my head",
        "the best part was over too fast",
        "I expected more from it",
    ),
    "relieved": ("the waiting was the worst part", "it could have gone badly and didn't", "it's finally done"),
    "calm": ("nobody needed anything from me for once", "it was so quiet", "I had no phone signal at all"),
    "grateful": (
        "friends turned up to help without being asked",
        "it could easily not have happened",
        "someone went out of their way for me",
    ),
    "embarrassed at first": (
        "I got everything wrong in the first hour",
        "I tripped in front of everyone",
        "I had no idea how anything worked",
    ),
    "inspired": (
        "I want to do more things like it",
        "the people there were so good at it",
        "I came home and started planning",
    ),
    "homesick": (
        "the smell took me straight back to being a kid",
        "my family would have loved it",
        "it sounded just like home",
    ),
    "overwhelmed": ("I didn't know where to look", "everyone talked at once", "it was so much bigger than I thought"),
}
# the follow-up detail for kinds that have no detail of their own
PHOTO_MORE = (
    "I took it just before it got dark",
    "I had to stand on a bench to get it",
    "I took about forty to get that one",
    "it was pure luck, I just happened to look up",
    "my hands were freezing when I took it",
)
FAMILY_MORE = (
    "the whole family is over the moon",
    "there were happy tears on the phone",
    "we're planning a big get-together",
    "I found out from a very excited voice message",
    "everyone's been sending photos all week",
)
LEARNING_MORE = (
    "the teacher is patient and funny",
    "there are only six of us in the group",
    "the homework is harder than I thought",
    "I practise on the bus every morning",
    "I'm the oldest in the class by far",
)
CELEBRATION_MORE = (
    "we stayed up far too late",
    "someone brought a guitar and we sang for hours",
    "there was far too much food",
    "we finished with a very silly group photo",
    "it was the first time in ages we were all together",
)


_FUNCTION_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "your",
        "about",
        "into",
        "over",
        "just",
        "very",
        "some",
        "more",
        "than",
        "them",
        "they",
        "their",
        "there",
        "were",
        "what",
        "when",
        "which",
        "while",
        "after",
        "before",
        "first",
        "whole",
        "three",
        "four",
        "full",
        "quite",
        "other",
        "even",
        "only",
        "also",
        "does",
        "made",
        "make",
        "really",
        "people",
        "every",
        "around",
        "little",
        "hours",
        "long",
        "like",
        "much",
        "then",
        "been",
        "have",
        "will",
        "would",
        "could",
        "should",
    ]
)


def _words(*phrases: str) -> frozenset[str]:
    """The content words (4+ letters, no function words) of `phrases`."""
    out = {w.strip(".,'!?").lower() for p in phrases for w in p.split()}
    return frozenset(w for w in out if len(w) > 3 and w.isalpha() and w not in _FUNCTION_WORDS)


# the words that name what episodes are about (not the words around them)
TOPIC_WORDS: frozenset[str] = _words(
    *(h[0] for h in HOBBIES),
    *(h[1] for h in HOBBIES),
    *(a[1] for a in ACTIVITIES),
    *(o[1] for o in OUTINGS),
    *BOOK_NOUN,
    *(d[1] for d in DISHES),
    *(p[1] for p in PURCHASES),
    *(p[1] for p in PHOTOS),
    *(h[1] for h in HEALTH),
    *(p[1] for p in PROJECTS),
    *(v[1] for v in VOLUNTEERING),
    *(w for pair in LEARNING for w in pair),
    *(c[1] for c in CELEBRATIONS),
    *(v for _, values in FAVOURITES for v in values),
    "hobby hobbies course lesson lessons concert festival novel recipe photo photos picture pictures painting "
    "hike hiking marathon swim swimming dance dancing yoga guitar piano camera museum gallery volunteer "
    "volunteered presentation",
)


def _pick(rng: random.Random, table: tuple) -> Any:
    return table[rng.randrange(len(table))]


# feelings that fit a kind of episode (indices into FEELINGS); other kinds take any
_FITTING: dict[str, tuple[int, ...]] = {
    "health": (1, 5, 7, 11),
    "photo": (2, 6, 9, 10),
    "bought": (2, 4, 5, 6),
    "read": (2, 4, 6, 9, 10),
    "family_news": (0, 2, 7, 10, 11),
    "cooked": (0, 2, 3, 4, 8),
    "project": (0, 1, 2, 3, 5, 7, 11),
    "learning": (0, 1, 2, 8, 9, 11),
    "volunteered": (0, 3, 6, 7, 9),
    "activity": (0, 1, 2, 3, 4, 6, 8, 9),
    "attended": (2, 4, 6, 9, 10, 11),
}


def _feeling(rng: random.Random, kind: str = "") -> dict[str, str]:
    options = _FITTING.get(kind, tuple(range(len(FEELINGS))))
    feeling, why = FEELINGS[options[rng.randrange(len(options))]]
    whys = (why, *FEELING_WHYS.get(feeling, ()))
    return {"feeling": feeling, "feeling_why": whys[rng.randrange(len(whys))]}


def _book(rng: random.Random, fake_name: Callable[[], str]) -> dict[str, str]:
    title = f"The {_pick(rng, BOOK_ADJ)} {_pick(rng, BOOK_NOUN)}"
    about, take = _pick(rng, BOOK_TAKES)
    return {"what": title, "np": f"the book {title}", "about": about, "more": take, "author": fake_name()}


def draw_episode(kind: str, rng: random.Random, fake_name: Callable[[], str], **values: str) -> dict[str, str]:
    """The `details` of one episode of `kind` (see the module doc for the keys)."""
    if kind == "activity":
        what, np, more = _pick(rng, ACTIVITIES)
        return {"what": what, "np": np, "more": more, **_feeling(rng, kind)}
    if kind == "attended":
        what, np, more = _pick(rng, OUTINGS)
        return {"what": what, "np": np, "more": more, "with": _pick(rng, GUESTS), **_feeling(rng, kind)}
    if kind == "read":
        return {**_book(rng, fake_name), **_feeling(rng, kind)}
    if kind == "cooked":
        what, np = _pick(rng, DISHES)
        return {"what": what, "np": np, "more": f"I made it for {_pick(rng, GUESTS)}", **_feeling(rng, kind)}
    if kind == "bought":
        what, np, more = _pick(rng, PURCHASES)
        return {"what": what, "np": np, "more": more, **_feeling(rng, kind)}
    if kind == "weekend_trip":
        city = values["city"]
        return {"what": f"a weekend in {city}", "np": f"the weekend in {city}", "more": _pick(rng, TRIP_DOING)}
    if kind == "photo":
        what, np = _pick(rng, PHOTOS)
        return {"what": what, "np": np, "more": _pick(rng, PHOTO_MORE), **_feeling(rng, kind)}
    if kind == "family_news":
        news, np = _pick(rng, FAMILY_NEWS)
        pos = values["pos"]
        return {
            "what": news.format(pos=pos),
            "np": np.format(rel=values["rel"]),
            "more": _pick(rng, FAMILY_MORE),
            **_feeling(rng, kind),
        }
    if kind == "health":
        what, np, more = _pick(rng, HEALTH)
        return {"what": what, "np": np, "more": more, **_feeling(rng, kind)}
    if kind == "project":
        what, np, more = _pick(rng, PROJECTS)
        return {"what": what, "np": np, "more": more, **_feeling(rng, kind)}
    if kind == "volunteered":
        what, np, more = _pick(rng, VOLUNTEERING)
        return {"what": what, "np": np, "more": more, **_feeling(rng, kind)}
    if kind == "learning":
        subject, course = _pick(rng, LEARNING)
        return {"what": subject, "np": course, "more": _pick(rng, LEARNING_MORE), **_feeling(rng, kind)}
    if kind == "celebrated":
        what, np = _pick(rng, CELEBRATIONS)
        return {"what": what, "np": np, "more": _pick(rng, CELEBRATION_MORE), **_feeling(rng, kind)}
    raise ValueError(f"draw_episode: unknown kind {kind!r}")


def plan_life(
    rng: random.Random,
    start: date,
    end: date,
    speakers: tuple[str, str],
    relatives: dict[str, list[tuple[str, str, str]]],
    spare_places: list[tuple[str, str]],
    per_speaker: int,
    fake_name: Callable[[], str],
) -> list[tuple[str, str, date, dict[str, str], dict[str, str]]]:
    """Episodes for both speakers over [start, end]: (kind, subject, date, args, details), in date order.

    `relatives[speaker]` lists (person id, relation, possessive pronoun) of the people a speaker talks about;
    `spare_places` (place id, name) are cities nobody lives in (weekend trips go there). Each speaker gets two
    hobbies (taken up early, practised later), `per_speaker` episodes in all, kinds spread so that no kind repeats
    for one speaker before most kinds were used, and three preferences. No two episodes of a speaker share a day.
    """
    span = max(1, (end - start).days)
    out: list[tuple[str, str, date, dict[str, str], dict[str, str]]] = []
    one_offs = [k for k in KINDS if k not in ("took_up", "practised", "favourite")]
    trips = list(spare_places)
    rng.shuffle(trips)
    for speaker in speakers:
        used_days: set[date] = set()

        def day(low: float, high: float, used: set[date] = used_days) -> date:
            for _ in range(50):
                d = start + timedelta(days=rng.randint(int(low * span), max(int(low * span), int(high * span))))
                if d not in used and start < d < end:
                    used.add(d)
                    return d
            d = start + timedelta(days=1 + len(used) % max(1, span - 1))
            used.add(d)
            return d

        hobbies = rng.sample(range(len(HOBBIES)), 2)
        budget = max(4, per_speaker)
        for slot, h in enumerate(hobbies):
            hobby, course, where, milestones = HOBBIES[h]
            began = day(0.0 + slot * 0.15, 0.3 + slot * 0.15)
            out.append(
                (
                    "took_up",
                    speaker,
                    began,
                    {},
                    {"what": hobby, "np": f"{hobby}", "course": course, "where": where, **_feeling(rng)},
                )
            )
            for milestone in rng.sample(milestones, min(len(milestones), max(1, budget // 8))):
                later = day((began - start).days / span + 0.1, 1.0)
                out.append(
                    (
                        "practised",
                        speaker,
                        later,
                        {},
                        {"what": hobby, "np": f"the {hobby}", "milestone": milestone, "more": where, **_feeling(rng)},
                    )
                )
        kinds: list[str] = []
        while len(kinds) < budget:
            batch = one_offs[:]
            rng.shuffle(batch)
            kinds += batch
        told: set[tuple[str, str]] = set()
        for kind in kinds[: max(0, budget - sum(1 for e in out if e[1] == speaker))]:
            args: dict[str, str] = {}
            values: dict[str, str] = {}
            if kind == "weekend_trip":
                if not trips:
                    continue
                place_id, name = trips.pop()
                args, values = {"place": place_id}, {"city": name}
            if kind == "family_news":
                if not relatives.get(speaker):
                    continue
                person_id, relation, pos = _pick(rng, tuple(relatives[speaker]))
                args, values = {"person": person_id}, {"rel": relation, "pos": pos}
            details = draw_episode(kind, rng, fake_name, **values)
            for _ in range(10):  # one speaker does not tell the same thing twice
                if (kind, details["what"]) not in told:
                    break
                details = draw_episode(kind, rng, fake_name, **values)
            else:
                continue
            told.add((kind, details["what"]))
            out.append((kind, speaker, day(0.02, 1.0), args, details))
        for topic, options in rng.sample(FAVOURITES, 3):
            out.append(("favourite", speaker, day(0.0, 1.0), {}, {"what": _pick(rng, options), "np": topic}))
    out.sort(key=lambda e: (e[2], e[1], e[0]))
    return out


def anchors(kind: str, details: dict[str, str], part: str = "") -> set[str]:
    """Words a faithful retelling of an episode (or of its `part`: "feeling", "more") must keep, lower-cased: the
    feeling word; or the topic words and the capitalised words (a title, a city) of what was done."""
    if part == "feeling":
        return {details["feeling"].split()[0].lower()} if "feeling" in details else set()
    if part:
        return set()
    what = details.get("what", "")
    words = {w.strip(".,'!?") for w in what.split()}
    return {w.lower() for w in words if w.lower() in TOPIC_WORDS or (w[:1].isupper() and len(w) > 2)}
