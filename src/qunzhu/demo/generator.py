"""A seeded demo community: four reading-club groups whose stories show in the chat data.

``generate_demo(end)`` returns ~50k :class:`ChatEvent` over the 180 days up to ``end``:

1. 书香读书会1群 ``healthy_ring`` – six core members with different specialities (a ring,
   not a hub) open threads that others answer; a weekly sharing session; steady traffic.
2. 书香读书会2群 ``zombie`` – burst, plateau, decline, then red envelopes, ads and "有人吗";
   the owner falls silent after week 6 and newcomers in the decline get no answer.
3. 书香读书会3群 ``ad_flood`` – a big group where a third of the traffic is hard ads,
   the same text from several accounts, links within an hour of joining, night floods.
4. 书香读书会4群 ``new`` – two weeks old: joins ramp up, welcomes, 破冰 introductions.

Everything comes from one seeded ``random.Random`` per group, so the same ``(end, seed)``
always gives the same events; nothing reads the clock.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from qunzhu.core.events import ChatEvent, MessageKind, Platform
from qunzhu.demo import phrases as ph
from qunzhu.demo.phrases import Book

TZ = ZoneInfo("Asia/Shanghai")
SPECIALITIES: tuple[str, ...] = ("历史", "科幻", "哲学", "经济", "文学", "心理")

# Messages per hour of day (Asia/Shanghai): quiet at night, lunch and 20:00-23:00 peaks.
_WEEKDAY_HOURS = (2.0, 0.8, 0.4, 0.25, 0.25, 0.4, 1.0, 2.5, 4.0, 4.5, 4.5, 5.0,
                  7.5, 6.0, 4.0, 4.0, 4.0, 4.5, 5.0, 6.0, 8.5, 9.5, 8.5, 5.0)
_WEEKEND_HOURS = (2.5, 1.2, 0.6, 0.3, 0.25, 0.3, 0.6, 1.5, 3.0, 4.5, 5.5, 6.0,
                  7.0, 6.0, 5.0, 5.0, 5.0, 5.0, 5.0, 6.0, 8.5, 9.5, 8.5, 5.5)
_HOUR_CUM = (tuple(itertools.accumulate(_WEEKDAY_HOURS)),
             tuple(itertools.accumulate(_WEEKEND_HOURS)))
#: Monday..Sunday; a reading club reads (and chats) more at the weekend
_WEEKDAY_FACTOR = (0.9, 0.95, 1.0, 0.95, 1.0, 1.3, 1.25)


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class DemoMember:
    key: str
    name: str
    roles: tuple[str, ...]
    interest_tags: tuple[str, ...]
    skills: tuple[str, ...]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class DemoGroup:
    key: str
    name: str
    story: str  # healthy_ring | zombie | ad_flood | new
    opened: date
    members: tuple[DemoMember, ...]


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    slug: str
    purpose: str
    tags: tuple[str, ...]
    groups: tuple[DemoGroup, ...]
    events: tuple[ChatEvent, ...]  # sorted by timestamp


def generate_demo(end: date, seed: int = 2026) -> DemoCommunity:
    """The demo community whose last day is ``end`` (all events on or before it)."""
    people = _People(random.Random(seed))
    operator = people.new(speciality="文学")
    cast = _Cast(operator=operator)
    # Built in the order people move: 2群 members drift to 1群, 1群's core seeds 3群 and 4群.
    builders: list[tuple[int, str, int, Callable[[_Group, _Cast], None]]] = [
        (2, "zombie", 180, _zombie),
        (1, "healthy_ring", 180, _healthy_ring),
        (3, "ad_flood", 150, _ad_flood),
        (4, "new", 14, _new_group),
    ]
    groups: list[_Group] = []
    for index, story, age, build in builders:
        rng = random.Random(seed * 7919 + index)
        group = _Group(rng, index, f"书香读书会{index}群", story, end - timedelta(days=age), end,
                       people)
        build(group, cast)
        groups.append(group)
    groups.sort(key=lambda g: g.short)
    return DemoCommunity(
        name="书香读书会", slug="reading-club", purpose="shared_interest",
        tags=("读书", "共读", "打卡", *SPECIALITIES),
        groups=tuple(g.to_demo() for g in groups),
        events=_merge(groups),
    )


def _merge(groups: Sequence[_Group]) -> tuple[ChatEvent, ...]:
    keyed = [(e.timestamp, gi, n, e)
             for gi, g in enumerate(groups) for n, e in enumerate(g.to_events())]
    keyed.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in keyed)


# --------------------------------------------------------------------------- people


@dataclass(eq=False)
class _Person:
    key: str
    name: str
    speciality: str
    tags: tuple[str, ...]
    skills: tuple[str, ...]
    needs: tuple[str, ...]
    city: str
    job: str


class _People:
    """Everyone in the community; one wxid per person even when in two groups."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._names = list(ph.NICKNAMES)
        rng.shuffle(self._names)
        self._next = 0
        self._keys: set[str] = set()

    def new(self, speciality: str = "", avoid: set[str] | None = None, spam: bool = False
            ) -> _Person:
        rng = self._rng
        fav = speciality or rng.choice(SPECIALITIES)
        others = [g for g in SPECIALITIES if g != fav]
        avoid = avoid or set()
        name = self._spam_name(avoid) if spam and rng.random() < 0.6 else self._name(avoid)
        city, job = _city_job(name, rng.choice(ph.CITIES), rng.choice(ph.JOBS))
        return _Person(
            key=self._key(), name=name, speciality=fav,
            tags=(fav, *rng.sample(others, rng.randint(0, 2))),
            skills=tuple(rng.sample(ph.SKILLS, rng.randint(0, 2))),
            needs=tuple(rng.sample(ph.NEEDS, rng.randint(0, 2))),
            city=city, job=job,
        )

    def _key(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        while True:
            key = "wxid_" + "".join(self._rng.choices(alphabet, k=10))
            if key not in self._keys:
                self._keys.add(key)
                return key

    def _spam_name(self, avoid: set[str]) -> str:
        free = [n for n in ph.SPAM_NICKNAMES if n not in avoid]
        return self._rng.choice(free) if free else self._name(avoid)

    def _name(self, avoid: set[str]) -> str:
        # Names are handed out once while the pool lasts, so a name means one person in the
        # demo; past that two people may share one, never inside one group.
        for _ in range(len(self._names)):
            name = self._names[self._next % len(self._names)]
            self._next += 1
            if name not in avoid:
                return name
        raise RuntimeError("nickname pool exhausted for one group")


def _city_job(name: str, city: str, job: str) -> tuple[str, str]:
    """A nickname like 成都-HR-李娜 or 陈医生 already says where someone lives or works."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] in ph.CITIES and parts[1] in ph.JOBS:
        return parts[0], parts[1]
    named = [j for j in ph.JOBS if len(j) == 2 and j in name]
    if "老师" in name:
        named.append("中学语文老师")
    return city, named[0] if named else job


@dataclass
class _Cast:
    """People who appear in more than one group."""

    operator: _Person
    core: list[_Person] = field(default_factory=list)
    regulars: list[_Person] = field(default_factory=list)
    drifters: list[_Person] = field(default_factory=list)
    collaborator: _Person | None = None


# --------------------------------------------------------------------------- one group


@dataclass(eq=False)
class _Stay:
    """A person's membership of one group and how they behave there."""

    person: _Person
    roles: list[str]
    weight: float  # how much they talk
    opens: float  # how much more readily than others they start a thread
    joined: datetime
    left: datetime | None = None
    quiet_after: date | None = None  # curiosity gone: still a member, no longer talks
    spam: bool = False
    checkins: int = 0
    last_checkin: date | None = None


@dataclass(eq=False)
class _Draft:
    ts: datetime
    seq: int
    stay: _Stay
    kind: MessageKind
    text: str
    act: str
    book: Book | None
    reply: _Draft | None
    mentions: tuple[str, ...]


class _Group:
    def __init__(self, rng: random.Random, index: int, name: str, story: str,
                 opened: date, end: date, people: _People) -> None:
        self.rng = rng
        self.short = f"demo-reading-{index}"
        self.key = f"{self.short}@chatroom"
        self.name = name
        self.story = story
        self.opened = opened
        self.end = end
        self.people = people
        self.limit = datetime.combine(end + timedelta(days=1), time(), TZ)
        self.stays: list[_Stay] = []
        self.drafts: list[_Draft] = []
        self.names: set[str] = set()
        self._seq = itertools.count()
        self._month_books = [ph.pick_book(rng) for _ in range(8)]

    # -- calendar ----------------------------------------------------------

    def day(self, n: int) -> date:
        return self.opened + timedelta(days=n)

    def days(self) -> range:
        return range((self.end - self.opened).days + 1)

    def at(self, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute, second), TZ)

    def month_book(self, day: date) -> Book:
        """The book the group reads together this month (共读)."""
        return self._month_books[min((day - self.opened).days // 30, 7)]

    # -- membership --------------------------------------------------------

    def new_person(self, speciality: str = "", spam: bool = False) -> _Person:
        return self.people.new(speciality, avoid=self.names, spam=spam)

    def admit(self, person: _Person, joined: datetime, roles: Sequence[str], weight: float,
              opens: float = 1.0, inviter: _Person | None = None, spam: bool = False) -> _Stay:
        stay = _Stay(person, list(roles), weight, opens, joined, spam=spam)
        self.stays.append(stay)
        self.names.add(person.name)
        if inviter is not None:
            self.post(joined, stay, MessageKind.JOIN, _join_text(self.rng, person, inviter), "join")
        return stay

    def dismiss(self, stay: _Stay, when: datetime, by: _Stay | None = None) -> None:
        if when >= self.limit or stay.left is not None or when <= stay.joined:
            return
        stay.left = when
        text = (f"{by.person.name}将{stay.person.name}移出了群聊" if by
                else f"{stay.person.name}退出了群聊")
        self.post(when, stay, MessageKind.LEAVE, text, "leave")

    def present(self, day: date) -> list[_Stay]:
        """Members through the whole of ``day`` (joiners speak first via their intro).

        On the opening day the founders, who all join in the morning, count from noon.
        """
        start = self.at(day, 12) if day == self.opened else self.at(day, 0)
        stop = start + timedelta(days=1)
        return [s for s in self.stays
                if s.joined < start and (s.left is None or s.left >= stop)]

    def talkers(self, day: date) -> list[_Stay]:
        return [s for s in self.present(day) if not s.spam and s.weight > 0
                and (s.quiet_after is None or day <= s.quiet_after)]

    def around(self, ts: datetime) -> list[_Stay]:
        """Talking members at the moment ``ts`` (for answering a newcomer)."""
        day = ts.date()
        return [s for s in self.stays if s.joined < ts and (s.left is None or s.left > ts)
                and not s.spam and s.weight > 0
                and (s.quiet_after is None or day <= s.quiet_after)]

    # -- messages ----------------------------------------------------------

    def post(self, ts: datetime, stay: _Stay, kind: MessageKind, text: str, act: str,
             book: Book | None = None, reply: _Draft | None = None,
             mentions: tuple[str, ...] = ()) -> _Draft | None:
        if ts >= self.limit:
            return None
        draft = _Draft(ts, next(self._seq), stay, kind, text, act, book, reply, mentions)
        self.drafts.append(draft)
        return draft

    def to_events(self) -> list[ChatEvent]:
        ordered = sorted(self.drafts, key=lambda d: (d.ts, d.seq))
        ids = {id(d): f"{self.short}-{n:06d}" for n, d in enumerate(ordered, start=1)}
        return [ChatEvent(
            platform=Platform.WECHAT, group_key=self.key, group_name=self.name,
            sender_key=d.stay.person.key, sender_name=d.stay.person.name, timestamp=d.ts,
            kind=d.kind, text=d.text, message_id=ids[id(d)],
            reply_to=ids[id(d.reply)] if d.reply is not None else "", mentions=d.mentions,
        ) for d in ordered]

    def to_demo(self) -> DemoGroup:
        members = tuple(DemoMember(
            key=s.person.key, name=s.person.name, roles=tuple(s.roles),
            interest_tags=() if s.spam else s.person.tags,
            skills=() if s.spam else s.person.skills,
            needs=() if s.spam else s.person.needs,
        ) for s in self.stays)
        return DemoGroup(self.key, self.name, self.story, self.opened, members)


def _join_text(rng: random.Random, person: _Person, inviter: _Person) -> str:
    if rng.random() < 0.55:
        return f"「{person.name}」通过扫描「{inviter.name}」分享的二维码加入群聊"
    return f"{inviter.name}邀请{person.name}加入了群聊"


# --------------------------------------------------------------------------- time


def _clock(rng: random.Random, g: _Group, day: date) -> datetime:
    cum = _HOUR_CUM[day.weekday() >= 5]
    hour = bisect.bisect_right(cum, rng.random() * cum[-1])
    return g.at(day, min(hour, 23), rng.randrange(60), rng.randrange(60))


def _gap(rng: random.Random) -> timedelta:
    """Seconds between two lines of one conversation; now and then someone comes back later."""
    if rng.random() < 0.08:
        return timedelta(seconds=rng.randint(600, 2400))
    return timedelta(seconds=5 + int(rng.expovariate(1 / 75)))


def _daily(g: _Group, day: date, base: float) -> int:
    """Base volume shaped by the weekday, with day-to-day noise."""
    noise = g.rng.lognormvariate(0, 0.18)
    return max(0, round(base * _WEEKDAY_FACTOR[day.weekday()] * noise))


# --------------------------------------------------------------------------- conversation


@dataclass(frozen=True)
class _Style:
    reply_prob: float = 0.3  # a follow-up quotes an earlier line (WeChat 引用)
    mention_prob: float = 0.25  # of those quotes, also @ the author
    solo_share: float = 0.35  # check-ins, stickers, one-liners nobody picks up
    mean_thread: float = 7.0
    welcome: bool = True  # whether newcomers' introductions get answered


class _Picker:
    """Weighted choice of who opens a thread and who answers, among today's talkers."""

    def __init__(self, rng: random.Random, talkers: list[_Stay]) -> None:
        self.rng = rng
        self.talkers = talkers
        self._open = list(itertools.accumulate(s.weight * s.opens for s in talkers))
        self._answer = list(itertools.accumulate(s.weight for s in talkers))

    def opener(self) -> _Stay:
        return self._draw(self._open)

    def answerer(self, avoid: _Stay) -> _Stay:
        for _ in range(3):
            stay = self._draw(self._answer)
            if stay is not avoid:
                return stay
        return stay

    def _draw(self, cum: list[float]) -> _Stay:
        return self.talkers[bisect.bisect_right(cum, self.rng.random() * cum[-1])]


def _chat_day(g: _Group, day: date, volume: int, style: _Style) -> None:
    talkers = g.talkers(day)
    if len(talkers) < 2 or volume <= 0:
        return
    picker = _Picker(g.rng, talkers)
    earliest = g.at(day, 12) if day == g.opened else g.at(day, 0)
    left = volume
    while left > 0:
        size = min(left, _thread_size(g.rng, style))
        start = _clock(g.rng, g, day)
        if start >= earliest:
            _thread(g, picker, start, size, style)
        left -= size


def _thread_size(rng: random.Random, style: _Style) -> int:
    if rng.random() < style.solo_share:
        return 1
    return 2 + min(60, int(rng.expovariate(1 / (style.mean_thread - 2))))


def _thread(g: _Group, picker: _Picker, start: datetime, size: int, style: _Style,
            opener: _Stay | None = None, act: str = "") -> None:
    opener = opener or picker.opener()
    first = _open_thread(g, opener, start, act)
    if first is None:
        return
    thread, ts = [first], start
    for _ in range(size - 1):
        ts += _gap(g.rng)
        back = len(thread) > 2 and g.rng.random() < 0.15
        speaker = opener if back else picker.answerer(avoid=thread[-1].stay)
        draft = _follow(g, speaker, thread, ts, style)
        if draft is None:
            return
        thread.append(draft)


class _Table:
    """A fixed weighted choice, prepared once because it is drawn tens of thousands of times."""

    def __init__(self, *rows: tuple[str, float]) -> None:
        self.items = tuple(item for item, _ in rows)
        self.cum = tuple(itertools.accumulate(weight for _, weight in rows))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


_OPEN_ACTS: dict[str, _Table] = {
    "core": _Table(("speciality", 45), ("question", 10), ("review", 12), ("progress", 8),
                   ("discussion", 10), ("share", 10), ("recommend", 5)),
    "member": _Table(("question", 18), ("recommend", 8), ("review", 10), ("progress", 14),
                     ("discussion", 7), ("joke", 6), ("greeting", 8), ("checkin", 10),
                     ("share", 11), ("chatter", 8)),
    "staff": _Table(("notice", 25), ("discussion", 20), ("question", 10), ("greeting", 15),
                    ("share", 15), ("review", 15)),
}


def _open_thread(g: _Group, stay: _Stay, ts: datetime, act: str = "") -> _Draft | None:
    rng = g.rng
    persona = _persona(stay)
    act = act or _opening_act(rng, persona, ts)
    if act == "checkin":
        # One check-in a day keeps "第N天" rising with the calendar.
        act = "progress" if stay.last_checkin == ts.date() else act
        stay.checkins += act == "checkin"
        stay.last_checkin = ts.date()
    genre = stay.person.speciality if persona == "core" else ""
    book = g.month_book(ts.date()) if rng.random() < 0.35 else ph.pick_book(rng, genre)
    kind, text = _opening_text(g, stay, act, book)
    return g.post(ts, stay, kind, text, act, book)


def _opening_act(rng: random.Random, persona: str, ts: datetime) -> str:
    if 6 <= ts.hour <= 8 and rng.random() < 0.3:
        return "greeting"
    if 20 <= ts.hour <= 22 and persona == "member" and rng.random() < 0.25:
        return "checkin"
    return _OPEN_ACTS[persona].draw(rng)


def _persona(stay: _Stay) -> str:
    if "differentiator" in stay.roles:
        return "core"
    if {"creator", "manager"} & set(stay.roles):
        return "staff"
    return "member"


def _opening_text(g: _Group, stay: _Stay, act: str, book: Book) -> tuple[MessageKind, str]:
    rng = g.rng
    if act == "share":
        return _share(rng, book)
    if act == "checkin":
        return MessageKind.TEXT, ph.say(rng, ph.CHECKINS, book, day=str(stay.checkins))
    if act == "chatter":
        return _media_or_short(rng)
    if act == "review":
        return MessageKind.TEXT, ph.review(rng, book)
    templates = {
        "speciality": ph.SPECIALITY_OPENERS.get(stay.person.speciality, ph.DISCUSSION_OPENERS),
        "question": ph.QUESTIONS, "recommend": ph.RECOMMEND_REQUESTS,
        "progress": ph.PROGRESS, "discussion": ph.DISCUSSION_OPENERS, "joke": ph.JOKES,
        "greeting": ph.GREETINGS, "notice": ph.MANAGER_NOTICES,
    }[act]
    return MessageKind.TEXT, ph.decorate(rng, ph.say(rng, templates, book, city=stay.person.city))


def _share(rng: random.Random, book: Book) -> tuple[MessageKind, str]:
    r = rng.random()
    if r < 0.5:
        return MessageKind.IMAGE, "[图片]"
    if r < 0.65:
        return MessageKind.FILE, ph.say(rng, ph.FILES, book)
    if r < 0.8:
        return MessageKind.LINK, ph.say(rng, ph.ARTICLE_LINKS, book)
    if r < 0.88:
        return MessageKind.VIDEO, "[视频]"
    if r < 0.95:
        return MessageKind.VOICE, "[语音]"
    return MessageKind.RED_ENVELOPE, rng.choice(ph.RED_ENVELOPES)


def _media_or_short(rng: random.Random) -> tuple[MessageKind, str]:
    r = rng.random()
    if r < 0.3:
        return MessageKind.STICKER, rng.choice(ph.MEDIA_TEXTS["sticker"])
    if r < 0.4:
        return MessageKind.IMAGE, "[图片]"
    if r < 0.5:
        return MessageKind.VOICE, "[语音]"
    return MessageKind.TEXT, ph.decorate(rng, rng.choice(ph.SHORT_REPLIES))


#: which kinds of answer each kind of opening draws (answer act, weight)
_ANSWER_ACTS: dict[str, _Table] = {
    "question": _Table(("answer", 55), ("discuss", 15), ("short", 20), ("media", 10)),
    "recommend": _Table(("recommend_answer", 65), ("short", 25), ("media", 10)),
    "checkin": _Table(("cheer", 70), ("short", 20), ("media", 10)),
    "greeting": _Table(("greet_back", 70), ("short", 15), ("media", 15)),
    "joke": _Table(("laugh", 60), ("short", 20), ("media", 20)),
    "intro": _Table(("welcome_reply", 80), ("short", 10), ("media", 10)),
    "share": _Table(("thanks_share", 40), ("short", 40), ("discuss", 10), ("media", 10)),
    "default": _Table(("discuss", 50), ("short", 28), ("answer", 7), ("media", 15)),
}

_ANSWER_TEMPLATES: dict[str, tuple[str, ...]] = {
    "answer": ph.ANSWERS, "recommend_answer": ph.RECOMMEND_ANSWERS, "discuss": ph.DISCUSS,
    "cheer": ph.CHEERS, "greet_back": ph.GREET_BACKS, "laugh": ph.LAUGHS,
    "welcome_reply": ph.WELCOME_REPLIES, "thanks_share": ph.THANKS, "short": ph.SHORT_REPLIES,
}


def _follow(g: _Group, speaker: _Stay, thread: list[_Draft], ts: datetime,
            style: _Style) -> _Draft | None:
    rng, first = g.rng, thread[0]
    target = _reply_target(rng, speaker, thread, style)
    if speaker is first.stay:
        act = "thanks"
    else:
        act = _ANSWER_ACTS.get(first.act, _ANSWER_ACTS["default"]).draw(rng)
    book = first.book or ph.pick_book(rng)
    kind, text = _answer_text(rng, act, book, speaker, target or first)
    mentions: tuple[str, ...] = ()
    if target is not None and kind is MessageKind.TEXT and rng.random() < style.mention_prob:
        mentions = (target.stay.person.key,)
        text = f"@{target.stay.person.name} {text}"
    return g.post(ts, speaker, kind, text, act, book, target, mentions)


def _reply_target(rng: random.Random, speaker: _Stay, thread: list[_Draft],
                  style: _Style) -> _Draft | None:
    if rng.random() >= style.reply_prob:
        return None
    if speaker is thread[0].stay:  # the opener thanks someone who answered
        others = [d for d in thread[1:] if d.stay is not speaker]
        return rng.choice(others) if others else None
    if len(thread) == 1 or rng.random() < 0.55:
        return thread[0]
    # Answering an answer is what makes a ring: members talk to each other, not to a hub.
    others = [d for d in thread[1:] if d.stay is not speaker]
    return rng.choice(others) if others else thread[0]


def _answer_text(rng: random.Random, act: str, book: Book, speaker: _Stay,
                 target: _Draft) -> tuple[MessageKind, str]:
    if act == "media":
        return _media_or_short(rng)
    if act == "thanks":
        name = target.stay.person.name if target.stay is not speaker else "大家"
        return MessageKind.TEXT, ph.say(rng, ph.THANKS, book, name=name)
    person = speaker.person
    text = ph.say(rng, _ANSWER_TEMPLATES[act], book, city=person.city, job=person.job)
    return MessageKind.TEXT, ph.decorate(rng, text)


# --------------------------------------------------------------------------- onboarding


def _introduce(g: _Group, stay: _Stay, style: _Style, chance: float = 0.7) -> None:
    """The 破冰 self-introduction a newcomer posts within a day, and who answers it."""
    rng = g.rng
    if rng.random() >= chance:
        return
    ts = stay.joined + timedelta(seconds=90 + int(min(72_000, rng.expovariate(1 / 7200))))
    if stay.left is not None and ts >= stay.left:
        return
    person = stay.person
    book = ph.pick_book(rng, person.speciality)
    text = ph.say(rng, ph.SELF_INTROS, book, name=person.name, city=person.city, job=person.job)
    intro = g.post(ts, stay, MessageKind.TEXT, text, "intro", book)
    if intro is None or not style.welcome:
        return
    talkers = [s for s in g.around(ts) if s is not stay]
    staff = [s for s in talkers if {"creator", "manager"} & set(s.roles)]
    if staff:
        _welcome(g, rng.choice(staff), [stay], ts + timedelta(minutes=rng.randint(1, 40)))
    for _ in range(rng.choice((0, 1, 1, 2, 3)) if talkers else 0):
        ts += _gap(rng)
        _follow(g, rng.choice(talkers), [intro], ts, style)


def _welcome(g: _Group, host: _Stay, newcomers: list[_Stay], ts: datetime) -> None:
    mention = "".join(f"@{s.person.name} " for s in newcomers)
    text = ph.say(g.rng, ph.WELCOMES, g.month_book(ts.date()), mention=mention)
    g.post(ts, host, MessageKind.TEXT, text, "welcome",
           mentions=tuple(s.person.key for s in newcomers))


def _announce(g: _Group, stay: _Stay, ts: datetime) -> None:
    text = ph.ANNOUNCEMENT.format(group=g.name, book=f"《{g.month_book(ts.date()).title}》")
    g.post(ts, stay, MessageKind.TEXT, text, "announcement")


def _inviter(rng: random.Random, g: _Group, joined: datetime) -> _Person:
    """Who brought a newcomer in: pioneers and staff most often, any member sometimes."""
    members = [s for s in g.stays if s.joined < joined and s.left is None and not s.spam]
    pioneers = [s for s in members if {"pioneer", "creator", "manager"} & set(s.roles)]
    pool = pioneers if pioneers and rng.random() < 0.75 else members
    return rng.choice(pool).person


def _member_roles(rng: random.Random, tier: str, founder: bool) -> list[str]:
    """Pioneers come from the early, active members; a few members of any tier pay."""
    roles = ["participant"]
    if founder and tier == "middle" and rng.random() < 0.35:
        roles.append("pioneer")
    if rng.random() < 0.05:
        roles.append("payer")
    return roles


def _talker_weight(rng: random.Random, tier: str) -> float:
    """Talkativeness by tier; ordinary members are heavy-tailed with many near-silent."""
    if tier == "core":
        return rng.uniform(14, 20)
    if tier == "middle":
        return rng.uniform(4, 9)
    if tier == "lurker":
        return rng.uniform(0.003, 0.03)
    return rng.lognormvariate(-0.4, 0.9)


# --------------------------------------------------------------------------- story 1: ring

_RING_STYLE = _Style(reply_prob=0.27, mention_prob=0.25)


def _healthy_ring(g: _Group, cast: _Cast) -> None:
    rng = g.rng
    founded = g.at(g.opened, 10, 0)
    creator = g.admit(cast.operator, founded, ("creator", "participant"), 8, opens=1.5)
    staff = [creator] + [g.admit(g.new_person(), founded + timedelta(minutes=i + 1),
                                 ("manager", "participant"), 6, 1.5, cast.operator)
                         for i in range(2)]
    for i, genre in enumerate(SPECIALITIES):
        person = g.new_person(genre)
        cast.core.append(person)
        g.admit(person, founded + timedelta(minutes=5 + i), ("participant", "differentiator"),
                _talker_weight(rng, "core"), opens=3.0, inviter=cast.operator)
    newcomers = _ring_members(g, cast, founded)
    _admit_collaborator(g, cast)
    _churn(g, share=0.08, first_day=20)
    _announce(g, creator, founded + timedelta(minutes=30))
    for stay in newcomers:
        _introduce(g, stay, _RING_STYLE)
    for n in g.days():
        day = g.day(n)
        volume = _daily(g, day, 118)
        if day.weekday() == 5 and n > 0:
            volume -= _sharing_session(g, day, staff)
        if day.weekday() == 0 and n > 0:
            _notice(g, rng.choice(staff), g.at(day, 10, rng.randrange(60)))
        _chat_day(g, day, volume, _RING_STYLE)


def _ring_members(g: _Group, cast: _Cast, founded: datetime) -> list[_Stay]:
    rng = g.rng
    newcomers = []
    tiers = ["middle"] * 22 + ["ordinary"] * 80 + ["lurker"] * 44
    rng.shuffle(tiers)
    for i, tier in enumerate(tiers):
        joined = founded + timedelta(minutes=10 + i) if i < 40 else _later(rng, g, 150)
        roles = _member_roles(rng, tier, founder=i < 40)
        stay = g.admit(g.new_person(), joined, roles, _talker_weight(rng, tier),
                       inviter=_inviter(rng, g, joined))
        if tier == "middle" and len(cast.regulars) < 12:
            cast.regulars.append(stay.person)
        if tier == "ordinary" and rng.random() < 0.3:
            stay.quiet_after = _drift_day(rng, g, stay)
        if i >= 40:
            newcomers.append(stay)
    for person in cast.drifters:  # they left the dying 2群 for a group that still talks
        joined = _clock(rng, g, g.day(rng.randint(60, 100)))
        newcomers.append(g.admit(person, joined, ["participant"], _talker_weight(rng, "ordinary"),
                                 inviter=_inviter(rng, g, joined)))
    return newcomers


def _later(rng: random.Random, g: _Group, span: int) -> datetime:
    """A join time after opening, denser early on, at a waking hour."""
    day = g.day(1 + int(span * rng.random() ** 1.8))
    return _clock(rng, g, day)


def _drift_day(rng: random.Random, g: _Group, stay: _Stay) -> date:
    return stay.joined.date() + timedelta(days=rng.randint(10, 120))


def _admit_collaborator(g: _Group, cast: _Cast) -> None:
    """An editor from a publisher: joins to exchange resources, posts a giveaway monthly."""
    person = g.new_person("文学")
    cast.collaborator = person
    joined = g.at(g.day(35), 15, 20)
    stay = g.admit(person, joined, ("collaborator", "participant"), 0.0, inviter=cast.operator)
    for n in range(40, len(g.days()), 30):
        text = ph.say(g.rng, ph.COLLABORATOR_POSTS, ph.pick_book(g.rng))
        g.post(g.at(g.day(n), 12, 30), stay, MessageKind.TEXT, text, "notice")


def _sharing_session(g: _Group, day: date, staff: list[_Stay]) -> int:
    """The Saturday 20:00 sharing session, speakers in rotation (轮换上台)."""
    talkers = g.talkers(day)
    core = [s for s in talkers if "differentiator" in s.roles]
    if not core or len(talkers) < 5:
        return 0
    speaker = core[(day - g.opened).days // 7 % len(core)]
    host = g.rng.choice(staff)
    book = ph.pick_book(g.rng, speaker.person.speciality)
    g.post(g.at(day, 19, 55), host, MessageKind.TEXT,
           f"@所有人 今晚8点分享会开始啦，主讲人@{speaker.person.name} ，主题：《{book.title}》",
           "notice", book, mentions=(speaker.person.key,))
    size = g.rng.randint(35, 60)
    _thread(g, _Picker(g.rng, talkers), g.at(day, 20, 0), size, _Style(reply_prob=0.4),
            opener=speaker, act="speciality")
    return size


def _notice(g: _Group, stay: _Stay, ts: datetime) -> None:
    book = g.month_book(ts.date())
    g.post(ts, stay, MessageKind.TEXT, ph.say(g.rng, ph.MANAGER_NOTICES, book), "notice", book)


def _churn(g: _Group, share: float, first_day: int) -> None:
    """Ordinary members leave now and then; the staff and core stay."""
    rng = g.rng
    pool = [s for s in g.stays if s.roles == ["participant"]]
    for stay in rng.sample(pool, round(len(pool) * share)):
        start = max(first_day, (stay.joined.date() - g.opened).days + 3)
        if start < len(g.days()):
            g.dismiss(stay, _clock(rng, g, g.day(rng.randrange(start, len(g.days())))))


# --------------------------------------------------------------------------- story 2: zombie

_BURST_STYLE = _Style(reply_prob=0.15, mention_prob=0.3, solo_share=0.45, mean_thread=5)
_DECLINE_STYLE = _Style(reply_prob=0.08, solo_share=0.7, mean_thread=3, welcome=False)


def _zombie(g: _Group, cast: _Cast) -> None:
    rng = g.rng
    founded = g.at(g.opened, 9, 30)
    # A pyramid: the owner is the hub while the excitement lasts, then vanishes.
    creator = g.admit(cast.operator, founded, ("creator", "participant"), 25, opens=4)
    creator.quiet_after = g.day(41)
    for i in range(2):
        manager = g.admit(g.new_person(), founded + timedelta(minutes=i + 1),
                          ("manager", "participant"), 8, 1.5, cast.operator)
        manager.quiet_after = g.day(rng.randint(48, 60))
    newcomers = _zombie_members(g, cast, founded)
    _zombie_spam(g)
    _zombie_leaves(g)
    _announce(g, creator, founded + timedelta(minutes=45))
    for stay in newcomers:
        late = stay.joined >= g.at(g.day(49), 0)
        _introduce(g, stay, _DECLINE_STYLE if late else _BURST_STYLE, 0.75)
    for n in g.days():
        style = _DECLINE_STYLE if n >= 49 else _BURST_STYLE
        _chat_day(g, g.day(n), _daily(g, g.day(n), _zombie_curve(n)), style)
    _trickle(g)


def _zombie_curve(n: int) -> float:
    """Messages per day: burst (weeks 1-3), plateau (4-7), decline (8-11), then nothing."""
    if n < 21:
        return 280
    if n < 49:
        return 150 - (n - 21) * 1.5
    if n < 84:
        return 100 * math.exp(-(n - 49) / 7)
    return 0


def _zombie_members(g: _Group, cast: _Cast, founded: datetime) -> list[_Stay]:
    rng = g.rng
    newcomers = []
    schedule = ([(founded + timedelta(minutes=5 + i), 0) for i in range(50)]
                + [(_clock(rng, g, g.day(rng.randint(1, 20))), 1) for _ in range(150)]
                + [(_clock(rng, g, g.day(rng.randint(21, 48))), 2) for _ in range(25)]
                + [(_clock(rng, g, g.day(rng.randint(49, 83))), 3) for _ in range(14)])
    schedule.sort(key=lambda row: row[0])
    for joined, phase in schedule:
        tier = rng.choices(("middle", "ordinary", "lurker"), weights=(12, 68, 20))[0]
        stay = g.admit(g.new_person(), joined, _member_roles(rng, tier, phase == 0),
                       _talker_weight(rng, tier), inviter=_inviter(rng, g, joined))
        stay.quiet_after = _curiosity_ends(rng, g, stay, phase, tier)
        if phase == 0 and tier == "middle" and len(cast.drifters) < 8:
            cast.drifters.append(stay.person)
        if phase > 0:
            newcomers.append(stay)
    return newcomers


def _curiosity_ends(rng: random.Random, g: _Group, stay: _Stay, phase: int, tier: str) -> date:
    """Interest fades within weeks; by the end of week 11 nobody is still talking."""
    joined = (stay.joined.date() - g.opened).days
    if phase == 3:
        return stay.joined.date()  # the unanswered introduction is all they ever say
    lasting = rng.uniform(30, 70) if tier == "middle" else rng.uniform(6, 40)
    return g.day(min(76, joined + int(lasting)))


def _zombie_leaves(g: _Group) -> None:
    rng = g.rng
    members = [s for s in g.stays if s.roles == ["participant"] and not s.spam]
    for stay in rng.sample(members, round(len(members) * 0.45)):
        joined = (stay.joined.date() - g.opened).days
        n = max(joined + 2, 50 + int(rng.expovariate(1 / 35)))
        if n < len(g.days()):
            g.dismiss(stay, _clock(rng, g, g.day(n)))


def _zombie_spam(g: _Group) -> None:
    """Once nobody moderates, ad accounts move in."""
    rng = g.rng
    for n in (55, 71, 97):
        joined = _clock(rng, g, g.day(n))
        spammer = g.admit(g.new_person(spam=True), joined, ["participant"], 0.0,
                          inviter=_inviter(rng, g, joined), spam=True)
        kind, text = _ad(rng)
        g.post(joined + timedelta(minutes=rng.randint(2, 50)), spammer, kind, text, "ad")


def _trickle(g: _Group) -> None:
    """After week 12: a handful of people, a red envelope, an ad, "有人吗", mostly silence."""
    rng = g.rng
    regulars = [s for s in g.stays if s.roles == ["participant"] and not s.spam
                and s.left is None and s.joined.date() < g.day(21)][:4]
    spammers = [s for s in g.stays if s.spam]
    for week_start in range(77, len(g.days()), 7):
        joined = [s for s in spammers if s.joined < g.at(g.day(week_start), 0)]
        cast = rng.sample(regulars, rng.randint(1, 2)) + rng.sample(joined, 1)
        for n in range(week_start, min(week_start + 7, len(g.days()))):
            if rng.random() < 0.3:
                _trickle_line(g, rng.choice(cast), _clock(rng, g, g.day(n)))


def _trickle_line(g: _Group, stay: _Stay, ts: datetime) -> None:
    if stay.left is not None and stay.left <= ts:
        return
    rng = g.rng
    if stay.spam:
        kind, text = _ad(rng)
        g.post(ts, stay, kind, text, "ad")
    elif rng.random() < 0.55:
        g.post(ts, stay, MessageKind.RED_ENVELOPE, rng.choice(ph.RED_ENVELOPES), "red_envelope")
    else:
        g.post(ts, stay, MessageKind.TEXT, rng.choice(ph.DEAD_GROUP), "dead")


# --------------------------------------------------------------------------- story 3: ads

_AD_STYLE = _Style(reply_prob=0.12, mention_prob=0.3, solo_share=0.5, mean_thread=5)


@dataclass(frozen=True)
class _Campaign:
    kind: MessageKind
    text: str  # posted verbatim by every account that runs it


def _ad(rng: random.Random, book: Book | None = None) -> tuple[MessageKind, str]:
    book = book or ph.pick_book(rng)
    r = rng.random()
    if r < 0.55:
        return MessageKind.LINK, ph.say(rng, ph.LINK_ADS, book)
    if r < 0.85:
        return MessageKind.MINI_PROGRAM, ph.say(rng, ph.MINI_PROGRAM_ADS, book)
    return MessageKind.TEXT, ph.say(rng, ph.TEXT_ADS, book)


def _ad_flood(g: _Group, cast: _Cast) -> None:
    rng = g.rng
    founded = g.at(g.opened, 11, 0)
    creator = g.admit(cast.operator, founded, ("creator", "participant"), 3, opens=1.5)
    manager = g.admit(g.new_person(), founded + timedelta(minutes=1),
                      ("manager", "participant"), 3, 1.0, cast.operator)
    newcomers = _ad_members(g, cast, founded)
    _churn(g, share=0.05, first_day=10)
    _announce(g, creator, founded + timedelta(minutes=40))
    for stay in newcomers:
        _introduce(g, stay, _AD_STYLE, 0.35)
    campaigns = [_Campaign(*_ad(rng)) for _ in range(16)]
    spammers = _spammers(g, campaigns)
    floods = set(rng.sample(range(3, len(g.days())), 17))
    for n in g.days():
        day = g.day(n)
        if n in floods:  # first, so that accounts removed this morning post no more today
            _night_flood(g, day, spammers, manager)
        volume = _daily(g, day, 50 if n > 10 else 80)
        _chat_day(g, day, volume, _AD_STYLE)
        _daytime_ads(g, day, spammers, round(volume * 0.4))


def _ad_members(g: _Group, cast: _Cast, founded: datetime) -> list[_Stay]:
    rng = g.rng
    newcomers = []
    shared = cast.regulars[:6] + [p for p in (cast.collaborator,) if p is not None]
    for i, person in enumerate(shared):
        g.admit(person, founded + timedelta(hours=2, minutes=i), ["participant"],
                _talker_weight(rng, "middle"), inviter=cast.operator)
    for i in range(335):
        tier = rng.choices(("middle", "ordinary", "lurker"), weights=(10, 45, 45))[0]
        joined = founded + timedelta(minutes=20 + i) if i < 60 else _later(rng, g, 100)
        stay = g.admit(g.new_person(), joined, _member_roles(rng, tier, i < 60),
                       _talker_weight(rng, tier), inviter=_inviter(rng, g, joined))
        if i >= 60:
            newcomers.append(stay)
    return newcomers


def _spammers(g: _Group, campaigns: list[_Campaign]) -> list[tuple[_Stay, _Campaign]]:
    """Ad accounts that join over time; each runs one campaign, several share each text."""
    rng = g.rng
    out = []
    for i in range(48):
        campaign = campaigns[i % len(campaigns)]
        joined = _clock(rng, g, g.day(rng.randrange(2, len(g.days()))))
        stay = g.admit(g.new_person(spam=True), joined, ["participant"], 0.0,
                       inviter=_inviter(rng, g, joined), spam=True)
        # They post within the first hour: the join is only a means to the link.
        first = joined + timedelta(minutes=rng.randint(1, 55))
        g.post(first, stay, campaign.kind, campaign.text, "ad")
        out.append((stay, campaign))
    return out


def _daytime_ads(g: _Group, day: date, spammers: list[tuple[_Stay, _Campaign]],
                 count: int) -> None:
    live = [(s, c) for s, c in spammers if s.joined.date() < day and s.left is None]
    if not live:
        return
    for _ in range(count):
        stay, campaign = g.rng.choice(live)
        g.post(_clock(g.rng, g, day), stay, campaign.kind, campaign.text, "ad")


def _night_flood(g: _Group, day: date, spammers: list[tuple[_Stay, _Campaign]],
                 manager: _Stay) -> None:
    """Dozens of ads between midnight and five, then complaints and removals in the morning."""
    rng = g.rng
    crew = [(s, c) for s, c in spammers if s.joined.date() < day and s.left is None]
    if len(crew) < 2:
        return
    crew = rng.sample(crew, min(len(crew), rng.randint(2, 5)))
    start = g.at(day, 0, 10) + timedelta(minutes=rng.randint(0, 140))
    for _ in range(rng.randint(24, 60)):
        stay, campaign = rng.choice(crew)
        ts = start + timedelta(seconds=rng.randint(0, 7000))
        g.post(ts, stay, campaign.kind, campaign.text, "ad")
    _morning_after(g, day, crew, manager)


def _morning_after(g: _Group, day: date, crew: list[tuple[_Stay, _Campaign]],
                   manager: _Stay) -> None:
    rng = g.rng
    talkers = g.talkers(day)
    ts = g.at(day, 7, rng.randint(10, 50))
    for _ in range(rng.randint(1, 4) if talkers else 0):
        ts += _gap(rng)
        g.post(ts, rng.choice(talkers), MessageKind.TEXT, rng.choice(ph.ANTI_AD), "complaint")
    # The lax manager removes only some of the night's accounts.
    stay = crew[0][0]
    if rng.random() < 0.5:
        g.dismiss(stay, ts + timedelta(minutes=rng.randint(20, 240)), by=manager)


# --------------------------------------------------------------------------- story 4: new

_NEW_STYLE = _Style(reply_prob=0.28, mention_prob=0.3, solo_share=0.3)


def _new_group(g: _Group, cast: _Cast) -> None:
    rng = g.rng
    founded = g.at(g.opened, 9, 30)
    creator = g.admit(cast.operator, founded, ("creator", "participant"), 8, opens=1.5)
    seeds = cast.core[:4] + cast.regulars[6:8]
    for i, person in enumerate(seeds):
        roles = ("manager", "participant", "differentiator") if i == 0 else (
            ("participant", "differentiator") if i < 4 else ("participant", "pioneer"))
        weight = _talker_weight(rng, "core" if i < 4 else "middle")
        g.admit(person, founded + timedelta(minutes=1 + i), roles, weight,
                opens=3.0 if i < 4 else 1.0, inviter=cast.operator)
    _announce(g, creator, founded + timedelta(minutes=20))
    _new_joins(g, founded)
    for n in g.days():
        day = g.day(n)
        volume = round((30 + 120 * n / 14) * rng.lognormvariate(0, 0.12))
        _chat_day(g, day, volume, _NEW_STYLE)


def _new_joins(g: _Group, founded: datetime) -> None:
    """Joins ramp up: friends on day one, then more each day through QR codes and invites."""
    rng = g.rng
    for n in g.days():
        count = 18 if n == 0 else 2 + n + rng.randint(0, 3)
        for i in range(count):
            joined = (founded + timedelta(minutes=8 + 2 * i) if n == 0
                      else _clock(rng, g, g.day(n)))
            tier = rng.choices(("middle", "ordinary", "lurker"), weights=(18, 62, 20))[0]
            stay = g.admit(g.new_person(), joined, ["participant"], _talker_weight(rng, tier),
                           inviter=_inviter(rng, g, joined))
            _introduce(g, stay, _NEW_STYLE, 0.85)
