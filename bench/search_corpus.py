"""A labelled synthetic CRM corpus for retrieval quality: communications about what LPs raised,
with the questions a partner would ask about them, and which records answer each.

Each *fact* is one LP (an organization, and one of its people) raising one topic (a side letter,
a K-1 delay, a re-up...), told in three records: the call, the follow-up email and a note, in
varied words that name the LP or the person and carry a detail of their own (a city, a month, an
amount). A question asks about one fact: sometimes in the documents' own words, often in a
partner's paraphrase that shares none of the topic's words, and always naming the LP or the
person. The fact's three records are its relevant answers; the same topic at other LPs and other
topics at the same LP are the distractors. Contact notes and organization descriptions are added
as more distractors. The same seed gives the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

ORG_FIRST = [
    "Halvorsen",
    "Kestrel",
    "Marlowe",
    "Ashdown",
    "Verity",
    "Bellweather",
    "Castellan",
    "Dunmore",
    "Everleigh",
    "Fairhaven",
    "Granger",
    "Hollis",
    "Islington",
    "Juniper",
    "Kingsley",
    "Larkspur",
    "Merriden",
    "Northgate",
    "Oakhurst",
    "Pemberton",
    "Quarry",
    "Redfern",
    "Stirling",
    "Thornbury",
    "Umber",
    "Vantage",
    "Westbrook",
    "Yarrow",
    "Zephyr",
    "Abernathy",
]
ORG_KIND = [
    "Foundation",
    "Family Office",
    "Pension Fund",
    "Endowment",
    "Capital",
    "Partners",
    "Trust",
    "Holdings",
]
FIRST = [
    "Ingrid",
    "Tomas",
    "Priya",
    "Malcolm",
    "Yuki",
    "Fatima",
    "Dmitri",
    "Elena",
    "Kwame",
    "Sofia",
    "Rafael",
    "Hannah",
    "Oliver",
    "Mei",
    "Lars",
    "Amara",
    "Jonah",
    "Clara",
    "Nikhil",
    "Beatrix",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Castillo",
    "Brennan",
    "Nakamura",
    "Haddad",
    "Volkov",
    "Moreau",
    "Asante",
    "Ferreira",
    "Kowalski",
    "Iyer",
    "Whitaker",
    "Chen",
    "Sandberg",
    "Mensah",
    "Duarte",
    "Albrecht",
    "Rahman",
    "Fitzgerald",
]
CITIES = ["Oslo", "Boston", "Zurich", "Singapore", "Denver", "Lisbon", "Toronto", "Melbourne"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November", "December"]
AMOUNTS = ["$5 million", "$10 million", "$15 million", "$25 million", "$40 million"]
FUNDS = ["Fund IV", "Fund V", "the Opportunity Fund", "the Growth Fund"]

# topic: (document templates, question templates). Slots: {org} {person} {first} {city} {month}
# {amount} {fund}. The first question of each topic uses the documents' words; the others are
# paraphrases.
TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "mfn": (
        [
            "{person} at {org} asked for a side letter with a most-favoured-nation clause on fees "
            "for {fund}.",
            "Sent {org} our draft side letter. Their counsel still wants MFN protection before "
            "{month}.",
            "Note: {first} ({org}) will not sign without the MFN clause; legal to review.",
        ],
        [
            "What did {org} say about the side letter and MFN?",
            "Is {org} insisting on getting terms at least as good as any other investor?",
            "Which fee guarantees does {person} want written into their agreement?",
        ],
    ),
    "k1": (
        [
            "{person} of {org} complained that last year's K-1s arrived late again.",
            "Emailed {org} the K-1 delivery schedule; {first} needs them by {month} for their "
            "own filings.",
            "{org} tax team: K-1 delays are their main operational frustration with us.",
        ],
        [
            "What is {org}'s issue with K-1 timing?",
            "Has {person} been unhappy about when their tax documents show up?",
            "When does {org} need its partnership tax forms each year?",
        ],
    ),
    "reup": (
        [
            "{person} confirmed {org} plans to re-up in {fund} at roughly {amount}.",
            "Follow-up with {org}: re-up for {fund} is approved by their committee, about "
            "{amount}.",
            "{first} hinted {org} could go above {amount} in {fund} if the close slips to {month}.",
        ],
        [
            "Will {org} re-up in the next fund?",
            "Is {org} going to invest with us again, and how much?",
            "How big a commitment is {person} planning for our new vehicle?",
        ],
    ),
    "coinvest": (
        [
            "{person} from {org} wants co-investment rights alongside {fund} deals.",
            "Shared our co-invest policy with {org}; {first} asked about fee-free co-investment.",
            "{org} would size up their commitment if they get co-investment allocations.",
        ],
        [
            "Is {org} interested in co-investing?",
            "Does {person} want to put money directly into individual portfolio companies?",
            "Which LP asked to participate in deals next to the fund, {org}?",
        ],
    ),
    "esg": (
        [
            "{person} at {org} requires annual ESG reporting and a climate risk questionnaire.",
            "Sent {org} our ESG policy; their board meets in {city} in {month} to review it.",
            "{org} flagged ESG reporting gaps as a blocker for {fund}.",
        ],
        [
            "What are {org}'s ESG requirements?",
            "Does {org} need sustainability and climate disclosures from us?",
            "Is {person} worried about environmental and social reporting?",
        ],
    ),
    "capital_call": (
        [
            "{person} asked {org} to get more notice on capital calls; ten days is too short.",
            "{org} treasury wants capital call notices at least fifteen business days ahead.",
            "Capital call timing came up again with {first} from {org}; they fund from {city}.",
        ],
        [
            "What did {org} say about capital call notice periods?",
            "Does {org} want more warning before we draw down their money?",
            "How much lead time does {person} need before paying in?",
        ],
    ),
    "secondary": (
        [
            "{person} mentioned {org} may sell part of its stake in older funds on the secondary "
            "market.",
            "{org} is exploring a secondary sale of its {fund} interest; {first} asked for a "
            "transfer consent.",
            "Heard {org} hired an adviser in {city} to run a secondary process.",
        ],
        [
            "Is {org} planning a secondary sale?",
            "Does {org} want to offload its existing fund positions to another buyer?",
            "Is {person} trying to get liquidity on their old commitments?",
        ],
    ),
    "fees": (
        [
            "{person} pushed back on the management fee; {org} wants a step-down after the "
            "investment period.",
            "{org} asked for a fee break for commitments above {amount}.",
            "{first} says {org}'s committee sees our carry and fee terms as above market.",
        ],
        [
            "What are {org}'s concerns about our management fee?",
            "Does {org} think we charge too much?",
            "Is {person} asking for cheaper economics on a large ticket?",
        ],
    ),
    "key_person": (
        [
            "{person} at {org} asked how the key person clause works if a partner leaves.",
            "{org} wants the key person provision to name two partners, not one.",
            "{first} raised key person risk after the news about the departure in {month}.",
        ],
        [
            "What did {org} ask about the key person clause?",
            "Is {org} worried about what happens if one of our partners departs?",
            "Does {person} want protection tied to specific individuals staying?",
        ],
    ),
    "annual_meeting": (
        [
            "{person} from {org} will attend the annual meeting in {city} and wants a one-on-one.",
            "{org} confirmed two attendees for the annual LP meeting; {first} asked about the "
            "dinner.",
            "{org} cannot make the annual meeting in {month}; asked for the recording.",
        ],
        [
            "Is {org} coming to the annual meeting?",
            "Will {person} be at our yearly investor gathering?",
            "Who from {org} is travelling to the LP event?",
        ],
    ),
    "reporting": (
        [
            "{person} asked {org}'s reports to come quarterly with portfolio company KPIs.",
            "{org} wants ILPA-format quarterly reporting from {fund}.",
            "{first} complained the quarterly report lacked valuation detail.",
        ],
        [
            "What reporting does {org} expect from us?",
            "Is {org} unhappy with the information in our quarterly updates?",
            "Does {person} want more detail on how companies are valued?",
        ],
    ),
    "allocation_pause": (
        [
            "{person} said {org} is pausing new venture commitments until {month}.",
            "{org} is over-allocated to private markets; no new commitments this year.",
            "{first} explained the denominator effect has {org} on hold for {fund}.",
        ],
        [
            "Is {org} pausing new commitments?",
            "Is {org} unable to invest right now because it has too much in private assets?",
            "When can {person} commit fresh money again?",
        ],
    ),
    "diligence": (
        [
            "{person} sent {org}'s due diligence questionnaire; forty questions on operations.",
            "{org} wants an onsite diligence visit in {city} before {month}.",
            "Returned the DDQ to {org}; {first} will follow up on cybersecurity answers.",
        ],
        [
            "Where are we on {org}'s due diligence?",
            "Has {org} sent us its questionnaire and asked to visit our office?",
            "What operational questions is {person} asking in their review?",
        ],
    ),
    "references": (
        [
            "{person} at {org} asked for three founder references and one LP reference.",
            "Set up reference calls for {org} with two portfolio CEOs.",
            "{first} spoke with our references; {org} was impressed by the founders in {city}.",
        ],
        [
            "Has {org} done its reference checks?",
            "Did {org} talk to the entrepreneurs we backed?",
            "Who did {person} call to vouch for us?",
        ],
    ),
    "wire": (
        [
            "{person} confirmed {org} wired its first capital contribution for {fund}.",
            "{org}'s wire for the capital call landed two days late; {first} apologised.",
            "Operations: {org} asked to change the bank they wire from, starting in {month}.",
        ],
        [
            "Has {org}'s wire arrived?",
            "Did {org} send the money for the drawdown on time?",
            "Is {person} changing the bank account their payments come from?",
        ],
    ),
    "climate": (
        [
            "{person} said {org} is steering new commitments toward climate tech managers.",
            "{org}'s board in {city} approved a climate allocation of {amount}.",
            "{first} asked whether {fund} will have a decarbonisation thesis.",
        ],
        [
            "Is {org} focusing on climate investments?",
            "Does {org} want exposure to clean energy and decarbonisation startups?",
            "Has {person}'s board set aside money for green technology?",
        ],
    ),
    "board_seat": (
        [
            "{person} asked whether {org} could get an advisory committee seat for {fund}.",
            "{org} will join the LPAC if their commitment exceeds {amount}.",
            "{first} wants {org} on the advisory board to review conflicts.",
        ],
        [
            "Does {org} want a seat on the LPAC?",
            "Is {org} asking for a governance role on the fund?",
            "Will {person} sit on the committee that reviews conflicts of interest?",
        ],
    ),
    "currency": (
        [
            "{person} asked if {org} can commit to {fund} in euros rather than dollars.",
            "{org} wants a currency hedge for its dollar commitment.",
            "{first} says FX swings in {month} hurt {org}'s returns.",
        ],
        [
            "Can {org} invest in a currency other than dollars?",
            "Is {org} worried about exchange rate risk on its commitment?",
            "Does {person} want protection from foreign exchange moves?",
        ],
    ),
    "team": (
        [
            "{person} is leaving {org} in {month}; their successor takes over the relationship.",
            "{org} announced a new CIO; {first} will no longer cover venture.",
            "Intro call with {org}'s new head of private markets, replacing {first}.",
        ],
        [
            "Who is replacing our contact at {org}?",
            "Is {person} moving on from their job?",
            "Has {org} changed who runs its private investments?",
        ],
    ),
    "emerging": (
        [
            "{person} said {org} has an emerging manager program and a {amount} budget.",
            "{org} prefers first-time funds; {first} asked about our track record before {fund}.",
            "{org}'s emerging manager mandate ends in {month}; decide soon.",
        ],
        [
            "Does {org} back new managers?",
            "Does {org} have a special allocation for first-time fund managers?",
            "Is {person} looking for young firms to invest with?",
        ],
    ),
}
NOTE_LINES = [
    "Prefers calls on Friday mornings.",
    "Met at a conference years ago; warm relationship.",
    "Sends a holiday card every year.",
    "Best reached by email; slow to answer calls.",
    "Plays golf; keen cyclist.",
    "Former operator; asks sharp questions about go-to-market.",
]
DESCRIPTIONS = [
    "A {kind} investing across private equity, venture and real assets.",
    "{kind} with a long-term mandate and a small investment team in {city}.",
    "A {kind} that has backed venture managers since the 1990s.",
]
TYPES = ("call", "email", "note")


@dataclass
class Record:
    id: str
    kind: str  # communication, contact or organization
    text: str
    subject: str = ""
    type: str = "note"
    organization_id: str | None = None
    contact_id: str | None = None
    occurred_at: str = "2026-01-01T12:00:00+00:00"


@dataclass
class Query:
    id: str
    text: str
    relevant: set[str]
    style: str  # "lexical" (the documents' words) or "paraphrase"


@dataclass
class Corpus:
    records: list[Record] = field(default_factory=list)
    queries: list[Query] = field(default_factory=list)


def generate(*, facts: int = 720, queries: int = 100, seed: int = 31) -> Corpus:
    rng = random.Random(seed)
    orgs = [(f"{a} {b}", b) for a in ORG_FIRST for b in ORG_KIND]
    rng.shuffle(orgs)
    orgs = orgs[:60]
    corpus = Corpus()
    people: dict[str, list[tuple[str, str, str]]] = {}
    for n, (name, kind) in enumerate(orgs):
        org_id = f"org-{n:03d}"
        city = rng.choice(CITIES)
        corpus.records.append(
            Record(
                org_id,
                "organization",
                rng.choice(DESCRIPTIONS).format(kind=kind.lower(), city=city),
                subject=name,
            )
        )
        for m in range(3):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact_id = f"contact-{n:03d}-{m}"
            people.setdefault(org_id, []).append((contact_id, first, last))
            corpus.records.append(
                Record(contact_id, "contact", rng.choice(NOTE_LINES), organization_id=org_id)
            )
    pairs = [(org, topic) for org in range(len(orgs)) for topic in TOPICS]
    rng.shuffle(pairs)
    chosen = pairs[:facts]
    fact_records: list[tuple[int, str, dict[str, str], list[str]]] = []
    for f, (org_n, topic) in enumerate(chosen):
        org_id = f"org-{org_n:03d}"
        contact_id, first, last = rng.choice(people[org_id])
        slots = {
            "org": orgs[org_n][0],
            "person": f"{first} {last}",
            "first": first,
            "city": rng.choice(CITIES),
            "month": rng.choice(MONTHS),
            "amount": rng.choice(AMOUNTS),
            "fund": rng.choice(FUNDS),
        }
        ids = []
        documents, _ = TOPICS[topic]
        for d, template in enumerate(documents):
            record_id = f"comm-{f:04d}-{d}"
            day = 1 + (f * 7 + d * 3) % 27
            corpus.records.append(
                Record(
                    record_id,
                    "communication",
                    template.format(**slots),
                    subject=f"{TYPES[d].title()} with {slots['org']}" if d == 0 else "",
                    type=TYPES[d],
                    organization_id=org_id,
                    contact_id=contact_id,
                    occurred_at=f"2026-{1 + f % 12:02d}-{day:02d}T15:00:00+00:00",
                )
            )
            ids.append(record_id)
        fact_records.append((f, topic, slots, ids))
    for q, (_, topic, slots, ids) in enumerate(rng.sample(fact_records, queries)):
        _, questions = TOPICS[topic]
        style_index = q % 3  # a third in the documents' words, two thirds paraphrased
        text = questions[style_index].format(**slots)
        corpus.queries.append(
            Query(f"q{q:03d}", text, set(ids), "lexical" if style_index == 0 else "paraphrase")
        )
    return corpus
