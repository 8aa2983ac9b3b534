"""A realistic synthetic corpus for load tests and benchmarks: `generate_corpus(stories=…)`.

The shape follows a real newsroom archive: thousands of authors (one per ~40 stories, a few of
them prolific), a dozen sections, a long-tailed tag distribution (Zipf-like: a handful of tags
on a large share of the stories, most on a few), 8 to 40 paragraphs per story with "Read more
here." asides (most linking an earlier story on the same subject), public and internal
notes, and publication dates spread over 15 years, nearly all published with a few drafts
and scheduled stories.

Everything comes from a small built-in vocabulary and one `random.Random(seed)`: the same seed
and `now` give the same stories, tags, bylines, paragraphs, block keys and notes. Rows are
written with `bulk_create`, one transaction per batch of stories; the search index and the
related lists are then filled in bulk by their own services (`articles.search.index`,
`articles.related.compute`).
"""

import bisect
import functools
import itertools
import random
import string
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Author, Block, Byline, Note, Section, Story, Tag, TaggedStory
from articles.notes.anchoring import make_anchor
from articles.related.compute import recompute_related_bulk
from articles.search.index import index_stories
from articles.text.markup import render_markdown

YEARS = 15
STORIES_PER_AUTHOR = 40
STORIES_PER_TAG = 25
MAX_TAGS = 4000
MIN_TAGS = 30
TAG_ZIPF_EXPONENT = 1.1
AUTHOR_ZIPF_EXPONENT = 0.7
RARE_WORD_ZIPF_EXPONENT = 0.9
STORIES_PER_RARE_WORD = 4
PARAGRAPHS = (8, 40)
DRAFT_SHARE = 0.02
SCHEDULED_SHARE = 0.01
ANNOTATED_SHARE = 0.3
WRITE_ATTEMPTS = 5
KEY_ALPHABET = string.ascii_lowercase + "234567"  # as `models.new_block_key`

SECTIONS = [
    # name, share of the stories
    ("News", 30),
    ("World", 14),
    ("Politics", 10),
    ("Business", 8),
    ("Investigations", 4),
    ("Environment", 6),
    ("Science", 5),
    ("Health", 6),
    ("Tech", 6),
    ("Culture", 5),
    ("Sports", 4),
    ("Opinion", 2),
]

COUNTRIES = [
    ("Peru", "Peruvian"), ("Bolivia", "Bolivian"), ("Colombia", "Colombian"),
    ("Mexico", "Mexican"), ("Brazil", "Brazilian"), ("Chile", "Chilean"),
    ("Argentina", "Argentine"), ("Venezuela", "Venezuelan"), ("Ecuador", "Ecuadorian"),
    ("Canada", "Canadian"), ("Nigeria", "Nigerian"), ("Kenya", "Kenyan"),
    ("Ethiopia", "Ethiopian"), ("Ghana", "Ghanaian"), ("Egypt", "Egyptian"),
    ("Morocco", "Moroccan"), ("South Africa", "South African"), ("Sudan", "Sudanese"),
    ("Turkey", "Turkish"), ("Iran", "Iranian"), ("Iraq", "Iraqi"), ("Syria", "Syrian"),
    ("Israel", "Israeli"), ("Lebanon", "Lebanese"), ("Pakistan", "Pakistani"),
    ("India", "Indian"), ("Bangladesh", "Bangladeshi"), ("China", "Chinese"),
    ("Japan", "Japanese"), ("Indonesia", "Indonesian"), ("the Philippines", "Filipino"),
    ("Vietnam", "Vietnamese"), ("Thailand", "Thai"), ("Australia", "Australian"),
    ("Ukraine", "Ukrainian"), ("Russia", "Russian"), ("Poland", "Polish"),
    ("Germany", "German"), ("France", "French"), ("Spain", "Spanish"), ("Italy", "Italian"),
    ("Greece", "Greek"), ("Britain", "British"), ("Ireland", "Irish"), ("Sweden", "Swedish"),
    ("Hungary", "Hungarian"), ("Haiti", "Haitian"), ("Cuba", "Cuban"),
]  # fmt: skip
CITIES = [
    "Lima", "La Paz", "Bogotá", "Mexico City", "São Paulo", "Santiago", "Buenos Aires",
    "Caracas", "Quito", "Toronto", "Lagos", "Nairobi", "Addis Ababa", "Accra", "Cairo",
    "Casablanca", "Johannesburg", "Khartoum", "Istanbul", "Tehran", "Baghdad", "Beirut",
    "Karachi", "Mumbai", "Dhaka", "Shanghai", "Osaka", "Jakarta", "Manila", "Hanoi",
    "Bangkok", "Sydney", "Kyiv", "Warsaw", "Berlin", "Marseille", "Madrid", "Naples",
    "Athens", "Glasgow", "Dublin", "Stockholm", "Budapest", "Port-au-Prince", "Havana",
    "Chicago", "Houston", "Detroit", "New Orleans", "Phoenix", "Baltimore", "Oakland",
]  # fmt: skip
TOPICS = [
    "drug trafficking", "coca farming", "election fraud", "police violence", "climate change",
    "water shortages", "illegal mining", "deforestation", "migrant workers", "border security",
    "housing costs", "public health", "opioid addiction", "prison conditions", "press freedom",
    "minimum wage", "gang violence", "oil spills", "wildfires", "flooding", "heat waves",
    "food prices", "student debt", "labor strikes", "human trafficking", "arms sales",
    "cyber attacks", "surveillance", "refugee camps", "vaccine supply", "air pollution",
    "fishing quotas", "land rights", "indigenous rights", "youth unemployment", "tax evasion",
    "money laundering", "police reform", "gun control", "abortion rights", "data privacy",
    "ride-hailing apps", "crypto fraud", "nuclear power", "solar energy", "coal mines",
    "rent strikes", "school closures", "hospital staffing", "military coups", "peace talks",
    "sanctions", "currency crisis", "debt relief", "smuggling routes", "cartel violence",
    "political prisoners", "protest movements", "street art", "music festivals",
    "football clubs", "doping", "drought", "earthquakes", "hurricanes", "plastic waste",
]  # fmt: skip
FIRST_NAMES = [
    "Ana", "Kayla", "Marco", "Lucía", "David", "Amara", "Tomás", "Priya", "Jonah", "Sofia",
    "Kwame", "Mei", "Oliver", "Fatima", "Diego", "Hannah", "Yusuf", "Elena", "Samuel", "Nadia",
    "Carlos", "Grace", "Ibrahim", "Laura", "Mateo", "Zoe", "Ahmed", "Isabel", "Daniel", "Aisha",
    "Gabriel", "Emma", "Rafael", "Chloe", "Omar", "Julia", "Andrés", "Leila", "Noah", "Rosa",
    "Felipe", "Maya", "Hugo", "Camila", "Tariq", "Nora", "Javier", "Ines", "Kofi", "Alice",
    "Miguel", "Yara", "Lukas", "Valeria", "Ravi", "Clara", "Pablo", "Dina", "Simon", "Paula",
    "Ethan", "Marta", "Jamal", "Sara", "Victor", "Lena", "Bruno", "Olga", "Hassan", "Irene",
    "Martín", "Beatriz", "Adrian", "Naomi", "Emil", "Carmen", "Felix", "Rania", "Oscar", "Vera",
]  # fmt: skip
LAST_NAMES = [
    "Ruble", "Torres", "Mejia", "Okafor", "Chen", "Novak", "García", "Haddad", "Kowalski",
    "Mensah", "Tanaka", "Silva", "Nguyen", "Rossi", "Müller", "Dubois", "Ahmed", "Kim",
    "Petrov", "Ortiz", "Reyes", "Osei", "Khan", "Lindqvist", "Moreno", "Costa", "Yilmaz",
    "Park", "Fischer", "Castillo", "Vargas", "Adeyemi", "Rahman", "Santos", "Ivanova", "Cohen",
    "Quispe", "Mamani", "Flores", "Herrera", "Jiménez", "Ali", "Sato", "Ferreira", "O'Brien",
    "Walsh", "Murphy", "Schmidt", "Nowak", "Horvat", "Popescu", "Papadopoulos", "Hansen",
    "Jensen", "Bakker", "Janssen", "Peeters", "Moreau", "Lefebvre", "Romero", "Navarro",
    "Delgado", "Aguilar", "Medina", "Rojas", "Guzmán", "Salazar", "Cruz", "Bennett", "Hughes",
    "Okeke", "Abubakar", "Wanjiru", "Otieno", "Banda", "Phiri", "Dlamini", "Nkosi", "Diallo",
]  # fmt: skip
ROLES = [
    "soldier", "farmer", "mayor", "journalist", "activist", "police officer", "judge",
    "teacher", "nurse", "miner", "fisherman", "student", "prosecutor", "lawmaker", "doctor",
    "union leader", "priest", "trucker", "border guard", "scientist",
]  # fmt: skip
TITLES = [
    "Interior Minister", "Senator", "Governor", "Police Chief", "Attorney General",
    "Health Minister", "Mayor", "Judge", "General", "Finance Minister", "Councilwoman",
    "Prosecutor", "Ambassador", "Union President",
]  # fmt: skip
ORGS = [
    "the United Nations", "Human Rights Watch", "local prosecutors", "the defense ministry",
    "a coalition of farmers' groups", "the central bank", "Amnesty International",
    "the electoral commission", "an independent monitoring group", "the national police",
    "the World Health Organization", "a regional court", "opposition lawmakers",
    "the country's largest union", "the environment agency", "a local church group",
]  # fmt: skip
INCIDENTS = ["a shootout", "a raid", "an ambush", "a clash", "a standoff", "an explosion"]
ANTAGONISTS = [
    "drug smugglers", "armed rebels", "gang members", "illegal miners", "poachers",
    "cartel gunmen", "smugglers", "protesters",
]  # fmt: skip
# Syllables of the archive's long tail of rare proper nouns (villages, families, companies):
# real text has many words only a few stories share, and related-story matching relies on them.
SYLLABLES = [
    "ba", "ca", "cha", "da", "fa", "ga", "hua", "ja", "ka", "la", "ma", "na", "pa", "qui",
    "ra", "sa", "ta", "va", "ya", "za", "bo", "co", "do", "lo", "mo", "no", "po", "ro", "to",
    "ri", "li", "mi", "ni", "ti", "vi", "ku", "lu", "mu", "nu", "ru", "tu", "yu", "an", "el",
    "or", "un", "is", "en", "tam", "bel", "kor", "san", "mar", "wen", "dor", "lin", "gar",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

HEADLINES = [
    "{Demonym} {role} killed in {incident} with {antagonist}",
    "{Demonym} {role}s protest over {topic} in {city}",
    "Inside {country}'s growing fight over {topic}",
    "{title} {name} resigns amid {topic} scandal",
    "Thousands displaced as {topic} hits {city}",
    "How {topic} is reshaping {country}",
    "{Country} court orders inquiry into {topic}",
    "{Org} warns of {topic} crisis in {country}",
    "{Demonym} {role}s say {topic} is getting worse",
    "The {role}s of {city} who are taking on {topic}",
    "{Demonym} lawmakers vote to crack down on {topic}",
    "What we know about the {topic} investigation in {city}",
    "{city} braces for more {topic} as officials trade blame",
    "A {role} in {city} exposed {topic}. Now {Pronoun} is in hiding",
]
DEKS = [
    "The {incident_word} is the latest in a string of attacks linked to {topic} in {country}.",
    "Officials in {city} say the problem has doubled in {number} years.",
    "{Org} says the government has ignored warnings about {topic} for years.",
    "Residents of {city} describe a region transformed by {topic}.",
    "A {role} who asked not to be named says nobody is held accountable.",
]
SENTENCES = [
    "The {incident_word} took place on {weekday} near {city}, according to {org}.",
    "{title} {name} told reporters that the government would not tolerate {topic}.",
    "At least {number} people have been affected since the start of the year.",
    "{Org} has documented {number} cases linked to {topic} in {country} alone.",
    "Residents say the problem has grown worse since {year}.",
    "Critics argue that the measures do little to address the causes of {topic}.",
    "{Demonym} officials did not respond to a request for comment.",
    "The region around {city} has long been a center of {topic}.",
    "In the village of {village}, residents say {topic} has changed everything.",
    "{local} has lived in {village} for most of {Possessive} life.",
    "“Nobody came to help us,” said {local}, a {role} from {village}.",
    "The {village} cooperative says it lost most of its income last year.",
    "Police in {village} declined to comment on the case.",
    "“We have been asking for help for years,” said one {role}, who asked not to be named.",
    "The {role}s' union called for a national strike to begin on {weekday}.",
    "According to {org}, the number of reported incidents rose by {number} percent.",
    "{title} {name} has promised an investigation, but few expect results.",
    "The government deployed {number} troops to the area last month.",
    "Local media reported that the suspects fled toward the border.",
    "Experts say {topic} is closely tied to poverty and weak institutions.",
    "In {city}, prices for basic goods have climbed sharply.",
    "The ministry said it had seized {number} tons of contraband in the operation.",
    "A spokesperson for {org} said the findings were deeply concerning.",
    "Lawmakers are expected to debate the bill before the end of the session.",
    "The case has drawn attention from rights groups across {country}.",
    "Many families have left for {city} in search of work.",
    "{Demonym} {role}s have accused authorities of looking the other way.",
    "The report, published on {weekday}, was based on interviews with {number} people.",
    "Officials insisted that the situation was under control.",
    "It is the third such incident in {country} this year.",
    "Observers warn that the crisis could spread to neighboring regions.",
]
TEASERS = [
    "Meet the {role}s fighting {topic} in {city}.",
    "{Country}'s battle with {topic} has a long history.",
    "How {topic} took hold in {city}.",
    "The {role} who stood up to {antagonist}.",
    "Why {topic} keeps getting worse in {country}.",
]
NOTE_BODIES = {
    Note.Kind.CONTEXT: [
        "This figure comes from the government's own annual report.",
        "The region has seen *repeated* unrest since the 1990s.",
        "Officials later revised this number upward.",
    ],
    Note.Kind.SOURCE: [
        "Figures from the **national statistics office**.",
        "Court documents reviewed by our reporters.",
    ],
    Note.Kind.FACT_CHECK: [
        "Independent monitors put the number somewhat lower.",
        "Records show the claim is broadly accurate.",
    ],
    Note.Kind.CORRECTION: ["An earlier version of this story misstated the figure."],
    Note.Kind.INTERNAL: [
        "Check this against the wire copy before the update.",
        "Legal wants to see this paragraph again.",
    ],
}
NOTE_KINDS = [
    (Note.Kind.CONTEXT, 35),
    (Note.Kind.SOURCE, 25),
    (Note.Kind.FACT_CHECK, 15),
    (Note.Kind.CORRECTION, 5),
    (Note.Kind.INTERNAL, 20),
]
VERDICTS = [value for value, _ in Note.Verdict.choices]
CREDITS = ["AP", "Reuters", "AFP", "Getty Images", "EPA"]


@dataclass
class CorpusReport:
    """What was written, and how long each phase took (seconds)."""

    stories: int = 0
    published: int = 0
    authors: int = 0
    tags: int = 0
    blocks: int = 0
    notes: int = 0
    taggings: int = 0
    timings: dict[str, float] = field(default_factory=dict)


class Zipf:
    """Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1) ** exponent."""

    def __init__(self, n: int, exponent: float):
        weights = [1.0 / (rank + 1) ** exponent for rank in range(n)]
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cumulative, rng.random() * self.total)


def tag_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct tag names, most used first: topics, then places, then both together."""
    places = [country for country, _ in COUNTRIES] + CITIES
    combined = [f"{place} {topic}" for place in places for topic in TOPICS]
    rng.shuffle(combined)
    head = list(TOPICS) + [country for country, _ in COUNTRIES] + CITIES
    rng.shuffle(head)
    return (head + combined)[:count]


def author_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct plausible names (a middle initial once the pairs run out)."""
    pairs = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    names = pairs[:count]
    initials = itertools.cycle(string.ascii_uppercase)
    while len(names) < count:
        first, last = pairs[len(names) % len(pairs)].split(" ", 1)
        names.append(f"{first} {next(initials)}. {last}")
    return list(dict.fromkeys(names))[:count]


def invented_words(count: int, rng: random.Random) -> list[str]:
    """`count` distinct invented proper nouns ("Huantamar", "Kobelu") from the syllables."""
    words: dict[str, None] = {}
    for _ in range(count * 20):  # bounded: far more tries than the syllables ever need
        if len(words) >= count:
            break
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        words.setdefault(word.capitalize(), None)
    return list(words)


class Writer:
    """Newsroom prose from the built-in vocabulary, about one story's place and topic."""

    def __init__(self, rng: random.Random, *, rare_words: int):
        self.rng = rng
        self.rare_words = invented_words(rare_words, rng)
        self.rare_zipf = Zipf(len(self.rare_words), RARE_WORD_ZIPF_EXPONENT)

    def slots(self, *, country: tuple[str, str], topic: str, city: str, now_year: int) -> dict:
        rng = self.rng
        org = rng.choice(ORGS)
        return {
            "country": country[0],
            "Country": country[0][:1].upper() + country[0][1:],
            "Demonym": country[1],
            "topic": topic,
            "city": city,
            "role": rng.choice(ROLES),
            "title": rng.choice(TITLES),
            "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "org": org,
            "Org": org[:1].upper() + org[1:],
            "incident": rng.choice(INCIDENTS),
            "incident_word": rng.choice(["attack", "raid", "clash", "shooting", "protest"]),
            "antagonist": rng.choice(ANTAGONISTS),
            "weekday": rng.choice(WEEKDAYS),
            "year": now_year - rng.randint(2, 12),
            "number": rng.choice(
                [3, 5, 12, 17, 40, 68, 120, 300, 1500, "dozens of", "hundreds of"]
            ),
            "Pronoun": rng.choice(["she", "he"]),
            "Possessive": rng.choice(["her", "his"]),
            "village": self.rare_word(),
            "local": f"{rng.choice(FIRST_NAMES)} {self.rare_word()}",
        }

    def rare_word(self) -> str:
        return self.rare_words[self.rare_zipf.draw(self.rng)]

    def fill(self, template: str, slots: dict) -> str:
        return template.format(**slots)

    def paragraph(self, slots: dict) -> str:
        rng = self.rng
        sentences = []
        for _ in range(rng.randint(2, 4)):
            # A fresh person, number and day now and then, as a story moves on.
            if rng.random() < 0.3:
                slots = slots | {
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "number": rng.randint(2, 900),
                    "weekday": rng.choice(WEEKDAYS),
                }
            sentences.append(rng.choice(SENTENCES).format(**slots))
        return " ".join(sentences)


@dataclass
class _Context:
    """What the loader keeps across batches."""

    rng: random.Random
    now: datetime
    sections: list[Section]
    section_weights: list[int]
    authors: list[Author]
    author_zipf: Zipf
    tags: list[Tag]
    tag_zipf: Zipf
    used_slugs: set[str]
    # Earlier stories of this corpus by tag, for aside targets: tag index -> story ids.
    by_tag: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    story_ids: list[int] = field(default_factory=list)


def _unique(base: str, used: set[str], *, max_length: int) -> str:
    base = (slugify(base) or "story")[:max_length].strip("-")
    slug, counter = base, 2
    while slug in used:
        suffix = f"-{counter}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        counter += 1
    used.add(slug)
    return slug


def _block_key(rng: random.Random, used: set[str]) -> str:
    while True:
        key = "".join(rng.choices(KEY_ALPHABET, k=10))
        if key not in used:
            used.add(key)
            return key


def _ensure_sections() -> list[Section]:
    sections = []
    for position, (name, _) in enumerate(SECTIONS):
        section = Section.objects.filter(name=name).first()
        if section is None:
            section, _ = Section.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "position": position}
            )
        sections.append(section)
    return sections


def _create_authors(count: int, rng: random.Random, batch_size: int) -> list[Author]:
    used = set(Author.objects.values_list("slug", flat=True))
    authors = []
    for name in author_names(count, rng):
        slug = _unique(name, used, max_length=200)
        bio = (
            f"{name.split(' ')[0]} covers {rng.choice(TOPICS)} and {rng.choice(TOPICS)} "
            f"from {rng.choice(CITIES)}."
        )
        handle = slug.replace("-", "")[:15] if rng.random() < 0.4 else ""
        authors.append(Author(name=name, slug=slug, bio=bio, x_handle=handle))
    return Author.objects.bulk_create(authors, batch_size=batch_size)


def _create_tags(names: list[str], batch_size: int) -> list[Tag]:
    existing = {tag.name.lower(): tag for tag in Tag.objects.all()}
    used = {tag.slug for tag in existing.values()}
    new = [
        Tag(name=name, slug=_unique(name, used, max_length=100))
        for name in names
        if name.lower() not in existing
    ]
    created = {tag.name.lower(): tag for tag in Tag.objects.bulk_create(new, batch_size=batch_size)}
    return [existing.get(name.lower()) or created[name.lower()] for name in names]


@functools.cache
def _tag_subject(tag_name: str) -> tuple[tuple[str, str] | None, str | None]:
    """The country and topic a tag names, if any."""
    country = next(
        (c for c in COUNTRIES if tag_name == c[0] or tag_name.startswith(c[0] + " ")), None
    )
    topic = next((t for t in TOPICS if tag_name == t or tag_name.endswith(" " + t)), None)
    return country, topic


def _plan_dates(rng: random.Random, now: datetime) -> tuple[str, datetime | None, datetime | None]:
    """(status, published_at, updated_at): mostly published over 15 years, some drafts/scheduled."""
    roll = rng.random()
    if roll < DRAFT_SHARE:
        return Story.Status.DRAFT, None, None
    if roll < DRAFT_SHARE + SCHEDULED_SHARE:
        return Story.Status.PUBLISHED, now + timedelta(hours=rng.uniform(1, 24 * 30)), None
    # Newsrooms publish more each year: density grows towards the present (sqrt skew).
    age_days = YEARS * 365.25 * (1 - rng.random() ** 0.7)
    published = now - timedelta(days=age_days, seconds=rng.randint(0, 86399))
    updated = None
    if rng.random() < 0.1:
        updated = published + timedelta(hours=rng.uniform(1, 72))
        updated = min(updated, now)
    return Story.Status.PUBLISHED, published, updated


@dataclass
class _Plan:
    """One story and everything written with it, planned before any row is written."""

    story: Story
    tag_indexes: list[int]
    author_indexes: list[int]
    blocks: list[Block]
    notes: list[Note]


def _plan_story(ctx: _Context, writer: Writer) -> _Plan:
    rng, now = ctx.rng, ctx.now
    tag_count = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
    tag_indexes = list(dict.fromkeys(ctx.tag_zipf.draw(rng) for _ in range(tag_count)))
    country = topic = None
    for index in tag_indexes:
        tag_country, tag_topic = _tag_subject(ctx.tags[index].name)
        country = country or tag_country
        topic = topic or tag_topic
    country = country or rng.choice(COUNTRIES)
    topic = topic or rng.choice(TOPICS)
    city = rng.choice(CITIES)
    slots = writer.slots(country=country, topic=topic, city=city, now_year=now.year)
    headline = rng.choice(HEADLINES).format(**slots)
    headline = headline[:1].upper() + headline[1:]
    status, published_at, updated_at = _plan_dates(rng, now)
    credit = f"{rng.choice(CREDITS)}/{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    has_image = rng.random() < 0.6
    story = Story(
        headline=headline[:300],
        slug=_unique(headline, ctx.used_slugs, max_length=200),
        dek=rng.choice(DEKS).format(**slots),
        section=ctx.sections[rng.choices(range(len(ctx.sections)), weights=ctx.section_weights)[0]],
        status=status,
        published_at=published_at,
        updated_at=updated_at,
        image_credit=credit if has_image else "",
        image_caption=f"A street in {city}." if has_image else "",
    )
    bylines = rng.choices([1, 2, 3], weights=[82, 15, 3])[0]
    authors = list(dict.fromkeys(ctx.author_zipf.draw(rng) for _ in range(bylines)))

    keys: set[str] = set()
    paragraphs = rng.randint(*PARAGRAPHS)
    asides = rng.choices([0, 1, 2, 3], weights=[30, 40, 20, 10])[0]
    aside_at = set(rng.sample(range(1, paragraphs), k=min(asides, paragraphs - 1)))
    blocks, story_paragraphs = [], []
    for number in range(paragraphs):
        if number in aside_at:
            blocks.append(_aside(ctx, story, slots, tag_indexes, len(blocks), keys))
        block = Block(
            story=story,
            position=len(blocks),
            kind=Block.Kind.PARAGRAPH,
            key=_block_key(rng, keys),
            text=writer.paragraph(slots),
        )
        blocks.append(block)
        story_paragraphs.append(block)
    notes = []
    if rng.random() < ANNOTATED_SHARE:
        annotated = rng.sample(story_paragraphs, k=min(paragraphs, rng.randint(1, 5)))
        notes = [_note(rng, story, paragraph) for paragraph in annotated]
    return _Plan(story, tag_indexes, authors, blocks, notes)


def _write(ctx: _Context, plans: list[_Plan]) -> None:
    """Insert the planned rows in one transaction, trying again if the connection drops.

    A long load outlives the odd database restart; the batch's transaction rolls back whole,
    so a retry starts from unsaved objects again.
    """
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with transaction.atomic():
                Story.objects.bulk_create([plan.story for plan in plans])
                Byline.objects.bulk_create(
                    Byline(story=plan.story, author=ctx.authors[author], position=position)
                    for plan in plans
                    for position, author in enumerate(plan.author_indexes)
                )
                TaggedStory.objects.bulk_create(
                    TaggedStory(content_object=plan.story, tag=ctx.tags[index])
                    for plan in plans
                    for index in plan.tag_indexes
                )
                Block.objects.bulk_create(
                    [block for plan in plans for block in plan.blocks], batch_size=5000
                )
                Note.objects.bulk_create(
                    [note for plan in plans for note in plan.notes], batch_size=5000
                )
            return
        except (OperationalError, InterfaceError):
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            connection.close()
            time.sleep(2**attempt)
            for plan in plans:
                for row in (plan.story, *plan.blocks, *plan.notes):
                    row.pk = None
                    row._state.adding, row._state.db = True, None
                # Assigning the (now unsaved) objects again clears the ids they had.
                for block in plan.blocks:
                    block.story = plan.story
                for note in plan.notes:
                    note.story, note.paragraph = plan.story, note.paragraph


def _retrying(action: Callable[[], object]) -> None:
    """Run an idempotent step (indexing, related lists), again if the connection drops."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            action()
            return
        except (OperationalError, InterfaceError):
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            connection.close()
            time.sleep(2**attempt)


def _batch(ctx: _Context, count: int, writer: Writer, report: CorpusReport) -> list[int]:
    """Plan and write `count` stories with their bylines, tags, blocks and notes."""
    plans = [_plan_story(ctx, writer) for _ in range(count)]
    _write(ctx, plans)
    for plan in plans:
        story = plan.story
        ctx.story_ids.append(story.pk)
        if story.status == Story.Status.PUBLISHED:
            report.published += 1
            for index in plan.tag_indexes:
                ctx.by_tag[index].append(story.pk)
        report.blocks += len(plan.blocks)
        report.notes += len(plan.notes)
        report.taggings += len(plan.tag_indexes)
    report.stories += len(plans)
    return [plan.story.pk for plan in plans]


def _aside(ctx: _Context, story: Story, slots: dict, tag_indexes, position, keys) -> Block:
    """A "Read more here." aside: mostly to an earlier story on a shared tag, some external."""
    rng = ctx.rng
    target = None
    url = ""
    roll = rng.random()
    if roll < 0.7:
        pool = ctx.by_tag.get(rng.choice(tag_indexes)) or ctx.story_ids
        if pool:
            target = rng.choice(pool[-500:])  # a recent-ish story on the subject
    elif roll < 0.85:
        url = f"https://example.org/reports/{slugify(slots['topic'])}"
    return Block(
        story=story,
        position=position,
        kind=Block.Kind.ASIDE,
        key=_block_key(rng, keys),
        teaser=rng.choice(TEASERS).format(**slots)[:300],
        label="Read more here.",
        target_story_id=target,
        target_url=url,
    )


_rendered: dict[str, str] = {}


def _note(rng: random.Random, story: Story, paragraph: Block) -> Note:
    """A note on one to four whole words of the paragraph."""
    text = paragraph.text
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == " "]
    first = rng.randrange(max(1, len(starts) - 4))
    last = min(first + rng.randint(1, 4), len(starts) - 1)
    start = starts[first]
    end = starts[last] - 1 if last > first else len(text)
    anchor = make_anchor(text=text, start=start, end=end)
    kind = rng.choices([k for k, _ in NOTE_KINDS], weights=[w for _, w in NOTE_KINDS])[0]
    public = kind != Note.Kind.INTERNAL and rng.random() < 0.7
    body = rng.choice(NOTE_BODIES[kind])
    if body not in _rendered:
        _rendered[body] = render_markdown(body)
    created = (story.published_at or timezone.now()) + timedelta(hours=rng.uniform(1, 48))
    note = Note(
        story=story,
        paragraph=paragraph,
        kind=kind,
        body=body,
        body_html=_rendered[body],
        quote_exact=anchor.exact,
        quote_prefix=anchor.prefix,
        quote_suffix=anchor.suffix,
        start=anchor.start,
        end=anchor.end,
        state=_note_state(rng, kind=kind, public=public),
        created_at=created,
    )
    if kind == Note.Kind.SOURCE:
        note.source_url = "https://example.org/documents/annual-report"
        note.source_title = "Annual report"
    elif kind == Note.Kind.FACT_CHECK:
        note.claim = anchor.exact
        note.verdict = rng.choice(VERDICTS)
    elif kind == Note.Kind.CORRECTION:
        note.correction_wrong = anchor.exact
        note.correction_right = f"{anchor.exact} (corrected)"
        note.corrected_at = created
    return note


def _note_state(rng: random.Random, *, kind: str, public: bool) -> str:
    """Published for the notes readers see; the rest spread over review, as on a real desk."""
    if public:
        return Note.State.PUBLISHED
    if kind == Note.Kind.INTERNAL:
        return Note.State.DRAFT
    return rng.choice([Note.State.DRAFT, Note.State.SUBMITTED, Note.State.WITHDRAWN])


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def generate_corpus(
    *,
    stories: int,
    seed: int = 1,
    batch_size: int = 2000,
    now: datetime | None = None,
    related: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> CorpusReport:
    """Add `stories` synthetic stories (with their authors, tags, bodies and notes), index them
    for search and compute their related lists. Returns counts and the time of each phase.

    `related` limits the related lists computed to those of the newest `related` published
    stories (0 for none; None, the default, for all): at about 80 ms a story, 100,000 lists
    take hours, and a benchmark needs only the pages it reads.
    """
    if stories < 1:
        raise ValueError("stories must be at least 1")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    report = CorpusReport()
    began = time.perf_counter()

    author_count = max(3, stories // STORIES_PER_AUTHOR)
    tag_count = max(MIN_TAGS, min(MAX_TAGS, stories // STORIES_PER_TAG))
    with transaction.atomic():
        sections = _ensure_sections()
        authors = _create_authors(author_count, rng, batch_size)
        tags = _create_tags(tag_names(tag_count, rng), batch_size)
    report.authors, report.tags = len(authors), len(tags)
    ctx = _Context(
        rng=rng,
        now=now,
        sections=sections,
        section_weights=[share for _, share in SECTIONS],
        authors=authors,
        author_zipf=Zipf(len(authors), AUTHOR_ZIPF_EXPONENT),
        tags=tags,
        tag_zipf=Zipf(len(tags), TAG_ZIPF_EXPONENT),
        used_slugs=set(Story.objects.values_list("slug", flat=True)),
    )
    writer = Writer(rng, rare_words=max(200, min(50_000, stories // STORIES_PER_RARE_WORD)))
    created: list[int] = []
    for start in range(0, stories, batch_size):
        created += _batch(ctx, min(batch_size, stories - start), writer, report)
        say(f"  {len(created):,}/{stories:,} stories written")
    report.timings["write"] = time.perf_counter() - began

    began = time.perf_counter()
    for ids in _chunks(created, batch_size):
        _retrying(lambda ids=ids: index_stories(story_ids=ids))
    report.timings["search index"] = time.perf_counter() - began
    say(f"  search index filled in {report.timings['search index']:.1f} s")

    if connection.vendor == "postgresql":
        # A bulk load leaves the planner's statistics far behind until autovacuum catches up.
        with connection.cursor() as cursor:
            for model in (Story, Block, Byline, TaggedStory, Note, Tag, Author):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')

    if related is None or related > 0:
        began = time.perf_counter()
        newest = (
            Story.objects.published()
            .filter(pk__in=created)
            .newest_first()
            .values_list("pk", flat=True)
        )
        wanted = created if related is None else list(newest[:related])
        for ids in _chunks(wanted, 200):
            _retrying(lambda ids=ids: recompute_related_bulk(story_ids=ids))
        report.timings["related"] = time.perf_counter() - began
        say(f"  related stories computed in {report.timings['related']:.1f} s")
    return report
