"""The campaign template library 活动模板库 shipped with qunzhu, in Chinese and English.

Seed 002: a campaign is planned (purpose, format, materials, time, risk forecast, staff),
run in three phases — warm-up 预热, ignition 引爆, monitoring 监控 — and ends with a
retrospective 复盘 whose good scripts are kept "to use directly next time". These six
templates are such kept scripts, so an operator starts from a worked plan instead of a
blank page: every field of the plan, the posts and reminders for each phase with their
days and local times, and the figures to judge the result by.

The seed's own tricks that cross our lines are left out on purpose (DOMAIN.md): no
sock-puppet hype or fake orders (马甲号晒单, 小号造势), no rewards for reposting to Moments
or for inducing shares, and the red-envelope rain is announced here but the operator sends
the envelopes by hand — qunzhu never creates, sends or handles money.

Step texts may use only :data:`PLACEHOLDERS`; ``{campaign}`` and ``{date}`` have defaults
in :func:`plan_steps`, the others come from the operator. Traditional Chinese is converted
from the Simplified text (OpenCC), as everywhere in the core. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from qunzhu.core.governance.messages import pick
from qunzhu.core.governance.templates import TemplateError, placeholders, render
from qunzhu.core.text import language

from .schedule import local_moment, parse_hhmm

Phase = Literal["warmup", "ignition", "monitoring"]
StepKind = Literal["post", "remind"]
Metric = Literal["messages", "participants", "joins", "checkins", "submissions", "signups",
                 "conversions"]

#: the three phases of seed 002, in the order they run
PHASES: tuple[Phase, ...] = ("warmup", "ignition", "monitoring")
STEP_KINDS: tuple[StepKind, ...] = ("post", "remind")
#: what a success measure may count; the first three come from the chat itself, then
#: check-ins, homework submissions, 接龙 sign-ups and conversions (payments) from their records
METRICS: tuple[Metric, ...] = ("messages", "participants", "joins", "checkins", "submissions",
                               "signups", "conversions")
#: the only placeholders a step text may use
PLACEHOLDERS = ("campaign", "group", "date", "time", "place")

_HHMM = re.compile(r"[0-2][0-9]:[0-5][0-9]")


@dataclass(frozen=True)
class Pair:
    """One text in Simplified Chinese and English (Traditional is converted from ``zh``)."""

    zh: str
    en: str


@dataclass(frozen=True)
class Risk:
    """A risk forecast 风险预测 with what to do about it."""

    risk: Pair
    mitigation: Pair


@dataclass(frozen=True)
class Duty:
    """Staffing 人员安排: who does what."""

    role: Pair
    duty: Pair


@dataclass(frozen=True)
class Measure:
    """A success measure for the retrospective: ``metric`` should reach ``target``."""

    metric: Metric
    target: float
    label: Pair

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"measure: unknown metric {self.metric!r}; use one of "
                             f"{', '.join(METRICS)}")
        if self.target <= 0:
            raise ValueError(f"measure {self.metric}: target must be above 0, got {self.target}")


@dataclass(frozen=True)
class Step:
    """One post or reminder: on day ``day`` (0 = the phase's first day) of ``phase`` at
    local time ``time`` ("HH:MM" in the community's zone)."""

    phase: Phase
    day: int
    time: str
    kind: StepKind
    text: Pair

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"step: unknown phase {self.phase!r}; use one of "
                             f"{', '.join(PHASES)}")
        if self.kind not in STEP_KINDS:
            raise ValueError(f"step: unknown kind {self.kind!r}; use post or remind")
        if self.day < 0:
            raise ValueError(f"step: day must be 0 or more, got {self.day}")
        if not _HHMM.fullmatch(self.time):
            raise ValueError(f"step: expected a time like 20:00, got {self.time!r}")
        parse_hhmm(self.time)  # 25:00 matches the pattern but is no time
        used = {lang: placeholders(getattr(self.text, lang)) for lang in ("zh", "en")}
        for name in [*used["zh"], *used["en"]]:
            _check_placeholder(name)
        if set(used["zh"]) != set(used["en"]):
            raise ValueError(f"step ({self.phase} day {self.day} {self.time}): the zh text "
                             f"uses {sorted(used['zh'])} but the en text {sorted(used['en'])}")


@dataclass(frozen=True)
class CampaignTemplate:
    """A campaign plan (活动规划) with its script. Validated on creation: steps fit their
    phases and come in time order, so a saved, edited template cannot post out of order."""

    key: str
    name: Pair
    purpose: Pair
    format: Pair
    materials: tuple[Pair, ...]
    risks: tuple[Risk, ...]
    duties: tuple[Duty, ...]
    budget: Pair
    measures: tuple[Measure, ...]
    warmup_days: int
    ignition_days: int
    monitoring_days: int
    steps: tuple[Step, ...]
    #: a check-in challenge of this many days starts with ignition (None: no challenge)
    challenge_days: int | None = None

    def __post_init__(self) -> None:
        for phase in PHASES:
            if self.days(phase) < 1:
                raise ValueError(f"{self.key}: the {phase} phase needs at least 1 day")
        for step in self.steps:
            if step.day >= self.days(step.phase):
                raise ValueError(f"{self.key}: a step on {step.phase} day {step.day} falls "
                                 f"outside the phase's {self.days(step.phase)} days")
        order = [_step_order(s) for s in self.steps]
        if order != sorted(order) or len(set(order)) != len(order):
            raise ValueError(f"{self.key}: steps must be in time order, one per moment")
        if self.challenge_days is not None and not (
                1 <= self.challenge_days <= self.ignition_days + self.monitoring_days):
            raise ValueError(f"{self.key}: a {self.challenge_days}-day challenge does not fit "
                             f"in ignition and monitoring")

    def days(self, phase: Phase) -> int:
        """How many days ``phase`` lasts."""
        return {"warmup": self.warmup_days, "ignition": self.ignition_days,
                "monitoring": self.monitoring_days}[phase]

    @property
    def total_days(self) -> int:
        return self.warmup_days + self.ignition_days + self.monitoring_days


def _step_order(step: Step) -> tuple[int, int, str]:
    return PHASES.index(step.phase), step.day, step.time


def _check_placeholder(name: str) -> None:
    if name not in PLACEHOLDERS:
        allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        raise TemplateError(f"unknown placeholder {{{name}}}; campaign texts may use {allowed}",
                            placeholder=name)


# -- texts --------------------------------------------------------------------------------


def text(pair: Pair, lang: str) -> str:
    """``pair`` in ``lang``: English for "en", Chinese for any "zh…" code (Traditional for
    zh-hant, zh-tw, zh-hk, converted from the Simplified text)."""
    return pick(pair.en, pair.zh, lang)


def render_step(template: str, **values: str) -> str:
    """A step text with its placeholders filled. Refuses (``TemplateError``, a
    ``ValueError`` naming the placeholder) any name outside :data:`PLACEHOLDERS`, in the
    text or among the values, and any placeholder the text uses without a value — an
    announcement with a literal "{place}" in it must never reach a group."""
    for name in values:
        _check_placeholder(name)
    for name in placeholders(template):
        _check_placeholder(name)
        if name not in values:
            raise TemplateError(f"no value for {{{name}}}: pass {name}=…", placeholder=name)
    return render(template, values)


_WEEKDAYS = "一二三四五六日"
_WEEK_WORD = {"zh-hans": "周", "zh-hant": "週"}
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def date_text(day: date, lang: str) -> str:
    """A date as posts write it: "6月1日（周一）", "6月1日（週一）", "Monday 1 June".
    No year: campaigns are announced days, not years, ahead."""
    lang = language(lang)
    if lang == "en":
        return f"{_EN_WEEKDAYS[day.weekday()]} {day.day} {_EN_MONTHS[day.month - 1]}"
    return f"{day.month}月{day.day}日（{_WEEK_WORD[lang]}{_WEEKDAYS[day.weekday()]}）"


# -- the library --------------------------------------------------------------------------

_CHECKIN21 = CampaignTemplate(
    key="checkin21",
    name=Pair("21天打卡", "21-day check-in"),
    purpose=Pair(
        "用21天的固定动作养成一个习惯：每位参加的成员每天在群里留下一条真实的打卡，"
        "群里有了持续的输出，也有了仪式感和参与感。",
        "Build one habit in 21 days: everyone taking part posts one real check-in a day, so "
        "the group gets steady output from many people and a shared ritual."),
    format=Pair(
        "预热3天：预告、公布规则、接龙报名。开营后每天发一条「#打卡 第N天」，写上今天做了什么"
        "和一句心得；第7天、第14天各做一次小结；第21天写总结，完成的成员获得结业证书。"
        "漏打的一天可以补卡。",
        "Three days of warm-up: announce, publish the rules, open a sign-up list (接龙). "
        "From day 1 members post \"#打卡 day N\" with what they did and one line of "
        "reflection; summaries on days 7 and 14; on day 21 everyone writes a look back and "
        "those who completed it get a certificate. A missed day can be made up."),
    materials=(
        Pair("规则说明：打卡格式、补卡规则、结业条件，附一条示范打卡",
             "Rules: check-in format, make-up rule, what counts as completing, with one "
             "example check-in"),
        Pair("活动海报或一段介绍：开始日期、每天做什么、为什么值得坚持",
             "A poster or short introduction: start date, the daily action, why it is worth "
             "doing"),
        Pair("接龙报名表", "Sign-up list (接龙)"),
        Pair("第7天、第14天小结的提纲", "An outline for the day-7 and day-14 summaries"),
        Pair("结业证书（qunzhu 按打卡记录生成）",
             "Completion certificates (qunzhu makes them from the check-in record)"),
    ),
    risks=(
        Risk(Pair("第二周断卡的人明显变多", "Many members drop out in the second week"),
             Pair("第7天、第14天发小结，表扬坚持的人，不点名批评没打卡的人；提醒大家可以补卡，"
                  "断了也能接上。",
                  "Post summaries on days 7 and 14 that praise persistence without naming "
                  "who missed; remind everyone that a missed day can be made up.")),
        Risk(Pair("打卡变成只发“打卡”两个字的水消息",
                  "Check-ins shrink to the bare word \"check-in\""),
             Pair("规则写明每条打卡要有具体内容和一句心得；管理员和核心成员先做示范，"
                  "多回复认真写的打卡。",
                  "The rules ask for concrete content and one line of reflection; managers "
                  "and core members set the example and reply to thoughtful check-ins.")),
        Risk(Pair("打卡刷屏，群里其他交流被淹没",
                  "Check-ins flood the group and drown other conversation"),
             Pair("建议大家集中在晚上打卡，小结只在固定时间发；人多的社群可以另开一个打卡群。",
                  "Suggest checking in in the evening and post summaries at fixed times only; "
                  "a large community can open a separate check-in group.")),
        Risk(Pair("为了奖励代打卡、刷卡", "Proxy or fake check-ins to win rewards"),
             Pair("奖励只看本人的真实打卡记录；不设转发朋友圈、拉人头之类的奖励。",
                  "Rewards follow each member's own check-in record only; nothing is given "
                  "for reposting to Moments or for headcount.")),
    ),
    duties=(
        Duty(Pair("群主", "Operator"),
             Pair("定规则，发开营和结营消息，确认完成名单，颁发结业证书",
                  "Sets the rules, opens and closes the challenge, confirms who completed it, "
                  "issues the certificates")),
        Duty(Pair("打卡督导（管理员轮值）", "Check-in steward (managers on a rota)"),
             Pair("每天晚上看一遍打卡，回复几条认真写的，处理补卡申请",
                  "Reads the day's check-ins each evening, replies to a few thoughtful ones, "
                  "handles make-up requests")),
        Duty(Pair("核心成员", "Core members"),
             Pair("带头打卡，小结时分享自己的方法和变化",
                  "Check in early and share their methods and changes in the summaries")),
    ),
    budget=Pair(
        "很低：结业证书由 qunzhu 生成，不花钱；可选给完成的成员准备一份小礼物（每人约20–50元）。"
        "不需要投放费用。",
        "Low: certificates are made by qunzhu at no cost; optionally a small gift for those "
        "who complete it (about 20–50 yuan each). No advertising spend."),
    measures=(
        Measure("participants", 30, Pair("参与打卡的人数", "members taking part")),
        Measure("checkins", 400, Pair("打卡总次数", "check-ins in total")),
        Measure("messages", 800, Pair("活动期间群消息数", "messages in the group during the "
                                                   "campaign")),
    ),
    warmup_days=3,
    ignition_days=3,
    monitoring_days=20,
    challenge_days=21,
    # challenge day N is ignition day N-1 for N <= 3, then monitoring day N-4
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【预告】{campaign}要开始了：{date}起连续21天，每天做一件小事，在群里打卡。"
            "先想一想：接下来三周，你最想坚持的是哪件事？明晚公布具体规则。",
            "[Coming up] {campaign} starts on {date}: 21 days in a row, one small thing a "
            "day, checked in here in the group. Think about it tonight: what is the one thing "
            "you want to keep doing for the next three weeks? Full rules tomorrow evening.")),
        Step("warmup", 1, "20:00", "post", Pair(
            "【{campaign}·规则】\n1. {date}开始，连续21天；\n"
            "2. 每天在群里发一条「#打卡 第N天」，写上今天做了什么和一句心得；\n"
            "3. 漏打的一天可以补卡；\n4. 完成21天的朋友获得结业证书。\n"
            "想参加的朋友请在群里接龙报名。",
            "[{campaign}: the rules]\n1. Starts {date}, 21 days in a row.\n"
            "2. Each day, post \"#打卡 day N\" in the group with what you did and one line of "
            "reflection.\n3. A missed day can be made up.\n"
            "4. Everyone who completes the 21 days gets a certificate.\n"
            "To join, add your name to the sign-up list in the group.")),
        Step("warmup", 2, "20:00", "remind", Pair(
            "明天（{date}）{campaign}正式开始。报名的朋友明天记得发第一条打卡；"
            "还没报名的，今晚接龙还来得及。",
            "{campaign} starts tomorrow ({date}). If you signed up, remember your first "
            "check-in tomorrow; if not, there is still time to add your name to the list "
            "tonight.")),
        Step("ignition", 0, "08:00", "post", Pair(
            "【{campaign}·第1天】今天正式开始！打卡格式：#打卡 第1天 + 今天做了什么 + 一句心得。"
            "第一条不求完美，开始就好。",
            "[{campaign}, day 1] We start today! Format: #打卡 day 1 + what you did today + "
            "one line of reflection. The first one need not be perfect; starting is what "
            "counts.")),
        Step("ignition", 0, "21:00", "remind", Pair(
            "第1天还剩三个小时，还没打卡的朋友记得发一条。",
            "Three hours left of day 1: if you have not checked in yet, post yours now.")),
        Step("ignition", 1, "08:00", "post", Pair(
            "【第2天】早上好！打完卡后翻一翻别人的打卡，给一位伙伴回复一句鼓励。"
            "互相看见，才坚持得下去。",
            "[Day 2] Good morning! After your check-in, read a few others and reply to one "
            "with a word of encouragement: people keep going when they are seen.")),
        Step("ignition", 2, "21:00", "remind", Pair(
            "【第3天】开头三天最难，坚持到今天已经开了个好头。还没打卡的，睡前补上。",
            "[Day 3] The first three days are the hardest, and you are through them. If you "
            "have not checked in yet, do it before bed.")),
        Step("monitoring", 3, "20:00", "post", Pair(
            "【第一周小结】{campaign}走完了第一周。请大家用一句话说说：这一周做到了什么，"
            "遇到了什么困难？管理员会把大家的回答整理成小结发在群里。",
            "[Week 1] {campaign} has finished its first week. In one sentence: what did you "
            "manage this week, and what got in the way? A manager will gather the answers "
            "into a summary for the group.")),
        Step("monitoring", 7, "21:00", "remind", Pair(
            "【第11天】过半了。中间断过的朋友也没关系，今天接着打，补卡的机会还在。",
            "[Day 11] Past halfway. If you missed a day, no matter: check in today, and the "
            "make-up is still there if you need it.")),
        Step("monitoring", 10, "20:00", "post", Pair(
            "【第二周小结】第14天了，坚持到这里很不容易。欢迎分享一个你这两周摸索出来的小方法，"
            "帮其他伙伴少走弯路。",
            "[Week 2] Day 14: getting here is no small thing. Share one trick you have worked "
            "out in these two weeks; it may keep someone else going.")),
        Step("monitoring", 14, "21:00", "remind", Pair(
            "【第18天】最后四天，冲刺！今天的卡别忘了。",
            "[Day 18] Four days to go. Don't forget today's check-in!")),
        Step("monitoring", 17, "08:00", "post", Pair(
            "【第21天】今天是{campaign}的最后一天！打完今天这一卡就完成了。晚上请写一段21天的总结："
            "做了什么，改变了什么，下次还想挑战什么。",
            "[Day 21] The last day of {campaign}! One more check-in and you are done. Tonight, "
            "write a short look back at the 21 days: what you did, what changed, what you "
            "would take on next.")),
        Step("monitoring", 18, "20:00", "post", Pair(
            "【结营】{campaign}结束了，谢谢每一位认真打卡的朋友，完成的朋友会收到结业证书。"
            "也请大家说说这次活动哪里可以做得更好，下一期我们改进。",
            "[Wrap-up] {campaign} is over. Thank you to everyone who checked in; those who "
            "completed it will receive a certificate. Tell us what could be better, and the "
            "next round will be.")),
    ),
)

_SHARING_SERIES = CampaignTemplate(
    key="sharing_series",
    name=Pair("分享系列", "Sharing series"),
    purpose=Pair(
        "让群里的每个人都有机会上台：成员轮流分享自己最拿手的经验，把“一个人在输出”变成"
        "“大家都在输出”，也让成员互相认识。",
        "Give everyone a turn at the front: members take turns sharing what they know best, "
        "so the output comes from many people rather than one star, and members get to know "
        "each other."),
    format=Pair(
        "每周一期，共三期，固定在同一天、同一时间。每期一位分享人（成员轮换上台，也可以请嘉宾"
        "空降），图文或语音分享20分钟，问答15分钟；结束后由志愿者整理成笔记发在群里。",
        "One session a week, three sessions, always the same weekday and time. Each has one "
        "speaker (members take turns; a guest may drop in): 20 minutes in text, pictures or "
        "voice, then 15 minutes of questions; a volunteer writes up notes for the group."),
    materials=(
        Pair("分享人名单和排期（每期一位，另备一位候补）",
             "Speakers and schedule (one per session, plus a stand-in)"),
        Pair("每期的题目和分享人简介，写进群公告",
             "Each session's topic and speaker, written into the group announcement"),
        Pair("分享规则：分享时不插话、问题留到问答、不做硬广",
             "Session rules: no interrupting, questions wait for the Q&A, no hard selling"),
        Pair("笔记模板：要点、金句、问答摘录", "Notes template: key points, best lines, Q&A"),
    ),
    risks=(
        Risk(Pair("分享人临时来不了", "A speaker drops out at the last minute"),
             Pair("每期安排一位候补分享人，或准备一个大家都能聊的讨论题。",
                  "Line up a stand-in for every session, or keep a discussion question "
                  "everyone can join.")),
        Risk(Pair("分享时有人插话、刷屏", "Members interrupt or flood the session"),
             Pair("开场说明规则，问题攒到问答环节；群太大时，分享期间可以临时开启禁言。",
                  "State the rules at the start and hold questions for the Q&A; in a large "
                  "group, mute the group during the talk.")),
        Risk(Pair("分享变成推销", "A session turns into a sales pitch"),
             Pair("事先和分享人约定不做硬广；产品只在有人提问时介绍。",
                  "Agree with speakers beforehand: no hard selling; products come up only if "
                  "someone asks.")),
        Risk(Pair("问答冷场", "Nobody asks anything"),
             Pair("主持人准备两三个问题先抛出来，带动大家提问。",
                  "The host prepares two or three questions to open the Q&A.")),
    ),
    duties=(
        Duty(Pair("主持人", "Host"), Pair("介绍分享人，控制时间，主持问答",
                                       "Introduces the speaker, keeps time, runs the Q&A")),
        Duty(Pair("分享人", "Speaker"), Pair("准备20分钟的内容，按时开讲，回答问题",
                                          "Prepares 20 minutes, starts on time, answers "
                                          "questions")),
        Duty(Pair("笔记志愿者", "Note-taker"), Pair("整理要点和问答，第二天发在群里",
                                               "Writes up the points and Q&A and posts them "
                                               "the next day")),
        Duty(Pair("管理员", "Managers"), Pair("处理插话、刷屏和广告",
                                          "Deal with interruptions, floods and ads")),
    ),
    budget=Pair(
        "成员分享基本不花钱；请外部嘉宾时可能需要讲课费或一份礼物，按嘉宾情况商定。"
        "可以给分享人一个“分享人”称号或徽章。",
        "Member sessions cost almost nothing; an outside guest may expect a fee or a gift, "
        "agreed case by case. Speakers can get a \"speaker\" title or badge."),
    measures=(
        Measure("participants", 30, Pair("参与讨论的人数", "members taking part in discussion")),
        Measure("messages", 400, Pair("活动期间群消息数", "messages in the group during the "
                                                   "campaign")),
        Measure("signups", 5, Pair("报名分享的人数", "members volunteering to speak")),
    ),
    warmup_days=5,
    ignition_days=1,
    monitoring_days=15,
    # session 1 on ignition day; sessions 2 and 3 one and two weeks later (monitoring 6, 13)
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【{campaign}·征集分享人】每周一期，由群里的朋友轮流上台，讲讲你最拿手的一件事："
            "工作经验、踩过的坑、读过的好书都可以。20分钟，不需要PPT，图文或语音都行。"
            "想分享的请在群里接龙，或私信管理员。",
            "[{campaign}: speakers wanted] One session a week, with members taking turns at "
            "the front. Talk about what you know best: work experience, mistakes worth "
            "learning from, a book that mattered. Twenty minutes, no slides needed; text, "
            "pictures or voice all work. To speak, add your name to the sign-up list or message a "
            "manager.")),
        Step("warmup", 2, "20:00", "post", Pair(
            "【{campaign}·第1期预告】{date} {time}开讲，分享人和题目见群公告。对这个题目有什么"
            "想问的，可以提前在群里留言，分享人会在问答时回答。",
            "[{campaign}: session 1] {date} at {time}. The speaker and topic are in the group "
            "announcement. Questions on the topic are welcome in advance; the speaker will "
            "take them in the Q&A.")),
        Step("warmup", 4, "20:00", "remind", Pair(
            "明天{time}，{campaign}第1期开讲。分享时请先不要插话，问题留到最后15分钟的问答环节。",
            "Tomorrow at {time}: session 1 of {campaign}. Please hold questions during the "
            "talk; the last 15 minutes are for Q&A.")),
        Step("ignition", 0, "09:00", "remind", Pair(
            "【今天{time}】{campaign}第1期，分享人和题目见群公告，到时见。",
            "[Today at {time}] Session 1 of {campaign}; speaker and topic are in the group "
            "announcement. See you there.")),
        Step("monitoring", 0, "10:00", "post", Pair(
            "【第1期回顾】谢谢分享人，也谢谢每一位提问的朋友，笔记整理好后会发在群里。"
            "你有什么收获？欢迎说一句。",
            "[Session 1 recap] Thank you to the speaker and to everyone who asked questions; "
            "the notes will be posted once they are written up. What did you take away? Tell "
            "us in a line.")),
        Step("monitoring", 4, "20:00", "post", Pair(
            "【第2期预告】后天{time}，{campaign}第2期，分享人和题目见群公告。"
            "还没上过台的朋友，也欢迎报名后面的场次。",
            "[Session 2] The day after tomorrow at {time}: session 2 of {campaign}; speaker "
            "and topic in the group announcement. If you have not spoken yet, sign up for a "
            "later session.")),
        Step("monitoring", 6, "09:00", "remind", Pair(
            "【今天{time}】{campaign}第2期，到时见。",
            "[Today at {time}] Session 2 of {campaign}. See you there.")),
        Step("monitoring", 7, "10:00", "post", Pair(
            "【第2期回顾】谢谢分享人和提问的朋友，笔记稍后发在群里。下一期想听什么，欢迎留言。",
            "[Session 2 recap] Thank you to the speaker and everyone who asked; notes will "
            "follow. What would you like to hear next?")),
        Step("monitoring", 11, "20:00", "post", Pair(
            "【第3期预告】后天{time}，{campaign}第3期，分享人和题目见群公告。",
            "[Session 3] The day after tomorrow at {time}: session 3 of {campaign}; speaker "
            "and topic in the group announcement.")),
        Step("monitoring", 13, "09:00", "remind", Pair(
            "【今天{time}】{campaign}第3期，到时见。",
            "[Today at {time}] Session 3 of {campaign}. See you there.")),
        Step("monitoring", 14, "10:00", "post", Pair(
            "【{campaign}·三期小结】三期分享结束，谢谢三位分享人。请大家说说：哪一期对你最有用？"
            "下一期想听什么？也欢迎你来做下一位分享人。",
            "[{campaign}: three sessions done] Thank you to our three speakers. Which session "
            "helped you most? What would you like to hear next? And would you like to be the "
            "next speaker?")),
    ),
)

_RED_ENVELOPE_RAIN = CampaignTemplate(
    key="red_envelope_rain",
    name=Pair("红包雨", "Red-envelope rain"),
    purpose=Pair(
        "在约好的时间集中发几轮红包，把久不说话的成员叫回群里，再借每轮之间的问题让大家重新开口。"
        "红包只是引子，交流才是目的。红包由群主亲手发出，qunzhu 不经手任何钱。",
        "A few rounds of red envelopes at an agreed time bring quiet members back, and the "
        "questions between rounds get them talking again. The envelopes are the hook; the "
        "conversation is the point. The operator sends the envelopes by hand: qunzhu never "
        "handles money."),
    format=Pair(
        "提前两天公告时间。当天约半小时：群主亲手发3到5轮拼手气红包，每轮之间抛一个问题，"
        "大家回答后再发下一轮。第二天发回顾，之后征求意见。",
        "Announce the time two days ahead. On the day, about half an hour: the operator sends "
        "3 to 5 rounds of lucky-draw red envelopes by hand, with a question between rounds "
        "that people answer before the next round. A recap follows the next day, then a call "
        "for feedback."),
    materials=(
        Pair("预算和轮次安排：每轮金额、红包个数",
             "Budget and rounds: amount and number of envelopes per round"),
        Pair("轮次之间的3到5个问题，轻松、人人能答",
             "3 to 5 questions for between the rounds: light, anyone can answer"),
        Pair("预告和防骗提醒的文字", "The announcement and a scam warning"),
    ),
    risks=(
        Risk(Pair("只为红包来的人变多，抢完就走",
                  "People come only for the money and leave"),
             Pair("红包雨不常办，一个月最多一次；每轮之间一定有问题，回顾里感谢认真回答的人。",
                  "Hold it rarely, at most once a month; always put a question between "
                  "rounds, and thank the people who answered in the recap.")),
        Risk(Pair("有人冒充群主，发红包链接或二维码诈骗",
                  "Scammers pose as the operator with envelope links or QR codes"),
             Pair("预告里写明：红包只由群主本人在群里直接发，从不私信发、从不要求扫码；"
                  "管理员当场移除可疑链接。",
                  "Say in the announcement that envelopes come only from the operator, "
                  "directly in the group, never by private message or QR code; managers "
                  "remove suspicious links at once.")),
        Risk(Pair("刷屏打扰不想参加的人", "The flood annoys members who are not interested"),
             Pair("提前公告时间，半小时内结束。",
                  "Announce the time in advance and finish within half an hour.")),
        Risk(Pair("变成诱导分享：转发、拉人才能领红包",
                  "It becomes induced sharing: reposts or invites in exchange for envelopes"),
             Pair("红包只发给在群里参加的人，不设转发朋友圈、拉人头之类的条件（平台规则禁止）。",
                  "Envelopes go to people taking part in the group, never conditional on "
                  "reposting to Moments or inviting people (platform rules forbid it).")),
    ),
    duties=(
        Duty(Pair("群主（发红包的人）", "Operator (sends the envelopes)"),
             Pair("按轮次亲手发红包，控制总预算", "Sends each round by hand, keeps to the budget")),
        Duty(Pair("主持管理员", "Host manager"),
             Pair("每轮之间抛问题，回应大家的回答",
                  "Asks the question between rounds and responds to the answers")),
        Duty(Pair("管理员", "Managers"), Pair("盯诈骗链接和广告，及时移除",
                                          "Watch for scam links and ads and remove them")),
    ),
    budget=Pair(
        "由群主自己决定并亲手发出，常见为每轮20–50元，共3–5轮，合计约100–200元。"
        "qunzhu 只发公告，不生成、不发送、也不经手任何钱。",
        "Decided and sent by the operator personally; commonly 20–50 yuan a round for 3–5 "
        "rounds, about 100–200 yuan in all. qunzhu posts the announcements only: it never "
        "creates, sends or handles money."),
    measures=(
        Measure("participants", 60, Pair("活动期间发言人数", "members who spoke during the "
                                                       "campaign")),
        Measure("messages", 400, Pair("活动期间群消息数", "messages in the group during the "
                                                   "campaign")),
    ),
    warmup_days=2,
    ignition_days=1,
    monitoring_days=3,
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【预告】{date} {time}，{campaign}！群主会亲手发几轮红包，每轮之间聊一个小问题，"
            "约半小时。提醒：红包只由群主本人在群里直接发，任何私信里的红包、链接或二维码都是骗局，"
            "请不要点。",
            "[Coming up] {date} at {time}: {campaign}! The group owner will send a few rounds "
            "of red envelopes by hand, with a light question between rounds; about half an "
            "hour in all. Note: envelopes come only from the group owner, directly in this "
            "group. Any envelope, link or QR code sent to you privately is a scam; do not "
            "open it.")),
        Step("warmup", 1, "20:00", "remind", Pair(
            "明天{time}，{campaign}。每轮红包之间有一个小问题，欢迎说说你的答案，不只是抢红包。",
            "Tomorrow at {time}: {campaign}. There is a small question between rounds; we "
            "would love to hear your answers, not just see the envelopes go.")),
        Step("ignition", 0, "12:00", "remind", Pair(
            "今天{time}，{campaign}，约半小时。红包由群主本人在群里亲手发，不会私信发红包，"
            "也不会让你扫码。",
            "Today at {time}: {campaign}, about half an hour. The group owner sends the "
            "envelopes by hand, here in the group; never by private message, never by QR "
            "code.")),
        Step("monitoring", 0, "10:00", "post", Pair(
            "【{campaign}回顾】谢谢昨天来参加、认真回答问题的朋友！红包雨不常办，"
            "平时也欢迎大家在群里多交流、多分享。",
            "[{campaign}: recap] Thank you to everyone who came yesterday and answered the "
            "questions! Red-envelope rain is a rare treat; the everyday conversation is what "
            "makes this group.")),
        Step("monitoring", 2, "20:00", "post", Pair(
            "【小调查】这次{campaign}你觉得怎么样？时间合适吗？下次更想参加哪种活动：分享会、打卡，"
            "还是线下见面？回复一句就好。",
            "[Quick question] How was {campaign}? Was the time right? What would you rather "
            "join next: a sharing session, a check-in challenge or a meet-up? One line is "
            "enough.")),
    ),
)

_WELCOME_WEEK = CampaignTemplate(
    key="welcome_week",
    name=Pair("新人欢迎周", "New-member welcome week"),
    purpose=Pair(
        "让一批新成员在入群第一周被看见、被回应：读群规、做破冰自我介绍、认识几位老成员，"
        "找到自己能参与的事。新人发言没人理，是一个群走向衰退的信号。",
        "Make sure a new intake is seen and answered in its first week: they read the rules, "
        "introduce themselves, meet some long-standing members and find something to take "
        "part in. Newcomers left unanswered are a sign of a group in decline."),
    format=Pair(
        "提前两天请老成员当欢迎大使。欢迎日：新人读群公告，按破冰模板自我介绍，大使逐一回应；"
        "之后一周依次是“群里怎么玩”、新人提问时间、找同好，最后收集新人的意见。",
        "Two days ahead, ask long-standing members to be welcome hosts. On welcome day "
        "newcomers read the announcement and introduce themselves with the icebreaker "
        "template, and the hosts answer each one; the week continues with how the group "
        "works, a newcomers' question time and finding people with shared interests, and ends "
        "with the newcomers' feedback."),
    materials=(
        Pair("群公告（群规）和破冰自我介绍模板",
             "The group announcement (rules) and the self-introduction template"),
        Pair("欢迎大使名单和值班时间", "Welcome hosts and their hours"),
        Pair("一份新人指南：群里有哪些固定活动，以前的精华内容在哪里",
             "A newcomer's guide: the regular activities, where to find the best past "
             "content"),
    ),
    risks=(
        Risk(Pair("新人的自我介绍没人回应", "Newcomers' introductions go unanswered"),
             Pair("事先排好欢迎大使，每条自我介绍两小时内有人回复。",
                  "Schedule the welcome hosts so that every introduction gets a reply within "
                  "two hours.")),
        Risk(Pair("新人一进群就发广告", "Newcomers post ads straight away"),
             Pair("群公告写明不许硬广；第一次由管理员私下提醒，再犯按群规处理。",
                  "The announcement forbids hard ads; a manager reminds a first-timer "
                  "privately, and repeat cases follow the rules.")),
        Risk(Pair("一次进人太多，老成员觉得被淹没",
                  "Too many join at once and long-standing members feel swamped"),
             Pair("分批邀请，每批人数控制在欢迎大使照顾得过来的范围内。",
                  "Invite in batches no larger than the hosts can look after.")),
        Risk(Pair("新人只互加好友，不在群里说话",
                  "Newcomers add each other privately and stay silent in the group"),
             Pair("每天给一个人人能接的话题，把交流留在群里。",
                  "Give one easy topic a day to keep the conversation in the group.")),
    ),
    duties=(
        Duty(Pair("欢迎大使（老成员）", "Welcome hosts (long-standing members)"),
             Pair("回应新人的自我介绍，带新人加入话题",
                  "Answer newcomers' introductions and bring them into conversations")),
        Duty(Pair("管理员", "Managers"), Pair("审核入群，维护秩序，回答新人提问",
                                          "Admit newcomers, keep order, answer questions")),
        Duty(Pair("群主", "Operator"), Pair("发欢迎和收尾消息，收集新人反馈",
                                         "Posts the welcome and closing messages, collects "
                                         "the newcomers' feedback")),
    ),
    budget=Pair(
        "基本不花钱。可以给欢迎大使一个“欢迎大使”称号或徽章，表示感谢。",
        "Almost free. Welcome hosts can get a \"welcome host\" title or badge as thanks."),
    measures=(
        Measure("joins", 30, Pair("本周新入群人数", "new members this week")),
        Measure("participants", 40, Pair("活动期间发言人数", "members who spoke during the "
                                                       "campaign")),
        Measure("submissions", 20, Pair("完成自我介绍的新人", "newcomers who introduced "
                                                        "themselves")),
    ),
    warmup_days=2,
    ignition_days=1,
    monitoring_days=6,
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【新人欢迎周】{date}起，{group}会迎来一批新朋友。想请几位老朋友帮忙当欢迎大使："
            "新人做自我介绍时回复一句、聊两句，让他们第一次发言就有回应。愿意的请接龙。",
            "[Welcome week] From {date}, {group} welcomes a group of new members. We are "
            "looking for a few long-standing members to be welcome hosts: reply to newcomers' "
            "introductions and chat a little, so their first message gets an answer. If you "
            "can help, add your name to the sign-up list.")),
        Step("warmup", 1, "20:00", "remind", Pair(
            "明天开始新人欢迎周。老朋友们可以想一想：你刚进群时，最希望有人告诉你什么？"
            "明天说给新人听。",
            "Welcome week starts tomorrow. Long-standing members: what did you most want "
            "someone to tell you when you first joined? Tell the newcomers tomorrow.")),
        Step("ignition", 0, "10:00", "post", Pair(
            "【欢迎新朋友】欢迎大家来到{group}！请先花两分钟读一读群公告，然后按破冰模板做个"
            "自我介绍：昵称、城市、做什么的、想在这里收获什么、能为大家提供什么。",
            "[Welcome!] Welcome to {group}! Please take two minutes to read the group "
            "announcement, then introduce yourself with the self-introduction template: name, "
            "city, what you do, what you hope to find here, what you can offer.")),
        Step("ignition", 0, "20:00", "remind", Pair(
            "今天还没做自我介绍的新朋友，睡前发一条吧。老朋友们也看看有没有漏回的。",
            "Newcomers who have not introduced themselves yet: post yours before bed. "
            "Long-standing members, check whether anyone is still waiting for a reply.")),
        Step("monitoring", 0, "20:00", "post", Pair(
            "【群里怎么玩】给新朋友说说这个群：\n1. 群规在群公告里，发言前看一眼；\n"
            "2. 有问题直接在群里问，也可以@管理员；\n"
            "3. 群里有固定的分享和活动，时间都会提前公告。\n"
            "老朋友们，欢迎补充一条你最想告诉新人的经验。",
            "[How this group works]\n1. The rules are in the group announcement; have a look "
            "before posting.\n2. Ask questions right here in the group, or @ a manager.\n"
            "3. We have regular sessions and activities, always announced in advance.\n"
            "Long-standing members: add the one tip you would most like newcomers to know.")),
        Step("monitoring", 1, "20:00", "post", Pair(
            "【新人提问时间】今晚新朋友有任何问题都可以问：关于这个群，关于大家在做的事。"
            "老朋友们帮忙回答。",
            "[Newcomers' questions] Tonight newcomers can ask anything: about this group, "
            "about what people here do. Long-standing members, please help answer.")),
        Step("monitoring", 3, "20:00", "post", Pair(
            "【找同好】翻一翻这几天的自我介绍，看看有没有同城、同行或兴趣相近的朋友，"
            "在群里互相@一下，打个招呼。",
            "[Find your people] Scroll through this week's introductions: anyone from your "
            "city, your line of work, or with your interests? Say hello with an @ here in the "
            "group.")),
        Step("monitoring", 5, "20:00", "post", Pair(
            "【欢迎周结束】谢谢各位欢迎大使。新朋友们，这一周感觉怎么样？有什么建议尽管说，"
            "我们会改进下一次的欢迎方式。",
            "[Welcome week is over] Thank you, welcome hosts. Newcomers: how was your first "
            "week? Any suggestion is welcome; we will use it to improve the next welcome.")),
    ),
)

_PRODUCT_LAUNCH = CampaignTemplate(
    key="product_launch",
    name=Pair("新品发布", "Product launch"),
    purpose=Pair(
        "把新产品或新服务先给群里的老朋友看：发布前听需求、请成员试用，发布时给群成员专属优惠，"
        "发布后收集真实反馈。成交靠信任和真实口碑，不靠制造假象。",
        "Show a new product or service to the community first: hear needs before the launch, "
        "invite members to try it, give members a special offer at launch and gather honest "
        "feedback afterwards. Sales come from trust and real word of mouth, not staged "
        "hype."),
    format=Pair(
        "预热4天：征集需求、招募试用、预告发布日期。发布日在群公告里公布产品、价格和群成员专属"
        "优惠（名额和截止时间写清楚），请试用的成员说真实感受；之后几天答疑、提醒优惠截止、"
        "收集使用心得。",
        "Four days of warm-up: ask about needs, recruit testers, announce the launch date. On "
        "launch day the group announcement gives the product, the price and the members' "
        "offer with its real limits and deadline, and testers are asked for honest "
        "impressions; the following days answer questions, remind people of the deadline and "
        "collect experiences."),
    materials=(
        Pair("产品介绍：图文或短视频，写明价格和购买方式",
             "Product introduction: pictures or a short video, with price and how to buy"),
        Pair("群成员专属优惠：内容、名额、截止时间（写实，到期即止）",
             "The members' offer: what it is, how many, until when (real limits, ended when "
             "due)"),
        Pair("试用名单和试用品", "Testers and trial units"),
        Pair("常见问题整理（发布后更新到群公告）",
             "An FAQ (added to the group announcement after launch)"),
    ),
    risks=(
        Risk(Pair("群变成广告群，老成员反感",
                  "The group turns into an ad channel and long-standing members resent it"),
             Pair("发布消息只在计划好的几个时间点发，其余时间照常交流；不私信轰炸。",
                  "Post about the product only at the planned times, keep the rest of the day "
                  "for normal conversation, and send no private sales messages.")),
        Risk(Pair("有人提议用小号晒单、刷好评造势",
                  "Someone suggests sock-puppet testimonials or fake reviews"),
             Pair("不用马甲号、不晒假单、不刷好评；只展示真实买家本人同意公开的评价。",
                  "No sock puppets, no fake orders, no bought reviews: show only real buyers' "
                  "reviews that they agreed to make public.")),
        Risk(Pair("“限时限量”说了不兑现，失去信任",
                  "\"Limited time, limited places\" is not honoured and trust is lost"),
             Pair("名额和截止时间写实，到期就截止，不“延期再延期”。",
                  "State real limits and deadlines and end the offer when due, with no "
                  "repeated extensions.")),
        Risk(Pair("差评或售后问题在群里发酵",
                  "Complaints or after-sales problems spread in the group"),
             Pair("在群里公开回应并说明处理进度，具体问题转私聊解决；不删差评。",
                  "Respond openly in the group with the progress, solve the details "
                  "privately, and never delete criticism.")),
        Risk(Pair("用优惠换转发朋友圈", "Discounts in exchange for reposting to Moments"),
             Pair("不设这类条件：平台规则禁止诱导分享，优惠只看是不是群成员。",
                  "Never: platform rules forbid induced sharing; the offer depends only on "
                  "being a member.")),
    ),
    duties=(
        Duty(Pair("群主", "Operator"), Pair("发布消息，兑现群成员优惠，把握发布节奏",
                                         "Posts the announcements, honours the members' "
                                         "offer, keeps the pace")),
        Duty(Pair("产品负责人", "Product owner"), Pair("回答产品问题，收集反馈和改进建议",
                                                 "Answers product questions, gathers "
                                                 "feedback and suggestions")),
        Duty(Pair("客服", "Customer service"), Pair("处理订单和售后，把进度回复到群里",
                                                "Handles orders and after-sales, reports "
                                                "progress in the group")),
        Duty(Pair("管理员", "Managers"), Pair("整理常见问题，更新群公告",
                                          "Compile the FAQ and update the announcement")),
    ),
    budget=Pair(
        "主要成本是试用品和群成员专属折扣（例如八折，或给前若干名买家一份赠品），按产品利润定；"
        "不需要额外投放。",
        "The main costs are trial units and the members' discount (for example 20% off, or a "
        "gift for the first buyers), sized to the product's margin; no advertising spend."),
    measures=(
        Measure("conversions", 20, Pair("群内成交数", "orders from the group")),
        Measure("submissions", 10, Pair("试用反馈条数", "tester reports")),
        Measure("participants", 40, Pair("活动期间发言人数", "members who spoke during the "
                                                       "campaign")),
    ),
    warmup_days=4,
    ignition_days=1,
    monitoring_days=5,
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【新品预告】我们准备了一样新东西，{date}在{group}首发。正式公布之前，想先听听大家："
            "在这方面，你遇到的最大麻烦是什么？大家的回答会影响最后的细节。",
            "[Something new] We have been working on something new, and it launches here in "
            "{group} on {date}. Before we show it: what is the biggest problem you run into in "
            "this area? Your answers will shape the final details.")),
        Step("warmup", 1, "20:00", "post", Pair(
            "【试用招募】首发前想请几位群友先试用，然后在群里说说真实感受，优点缺点都说。"
            "想试用的请接龙，写一句你打算怎么用它。",
            "[Testers wanted] Before the launch we would like a few members to try it and "
            "then tell the group honestly what they think, good and bad. To take part, add "
            "your name to the sign-up list with one line on how you would use it.")),
        Step("warmup", 3, "20:00", "remind", Pair(
            "明天（{date}）新品在群里首发。群成员有专属优惠，名额和截止时间会写清楚。",
            "Tomorrow ({date}) we launch, here in the group first. Members get a special "
            "offer; its limits and deadline will be stated plainly.")),
        Step("ignition", 0, "10:00", "post", Pair(
            "【{campaign}】今天首发！产品介绍、价格和购买方式见群公告。群成员专属优惠的名额和截止"
            "时间也写在公告里，到期即止。有问题直接在群里问，我们逐条回答。",
            "[{campaign}] Launching today! Product details, price and how to buy are in the "
            "group announcement, together with the members' offer, its limits and its "
            "deadline, which we will keep to. Ask any question here and we will answer each "
            "one.")),
        Step("ignition", 0, "20:00", "post", Pair(
            "【试用反馈】请参加试用的朋友说说真实感受，优点缺点都欢迎。我们不删差评，"
            "也不会请人代写好评。",
            "[Testers' verdict] Testers, please tell the group what you really think, good "
            "and bad. We do not delete criticism and we never pay for praise.")),
        Step("monitoring", 0, "20:00", "post", Pair(
            "【答疑】常见问题已整理进群公告。还没得到回复的问题，请在群里再@我们一次。",
            "[Q&A] The common questions and answers are now in the group announcement. If "
            "yours is still unanswered, @ us here again.")),
        Step("monitoring", 2, "20:00", "remind", Pair(
            "提醒：群成员专属优惠快到期了，截止时间见群公告。需要的朋友别错过；不需要的也完全没关系。",
            "Reminder: the members' offer ends soon; the deadline is in the group "
            "announcement. Don't miss it if you need it, and no worries if you don't.")),
        Step("monitoring", 4, "20:00", "post", Pair(
            "【用户说】已经用上的朋友，欢迎说说你是怎么用的、效果怎么样。真实的使用心得对后来的人"
            "最有帮助；不满意的地方也请告诉我们，我们来改。",
            "[Your experience] If you are using it already, tell us how, and how it is going. "
            "Honest experience helps others most, and if something disappoints you, tell us "
            "so we can fix it.")),
    ),
)

_MEETUP = CampaignTemplate(
    key="meetup",
    name=Pair("线下见面会", "Offline meet-up"),
    purpose=Pair(
        "把线上的关系变成线下的信任。固定的时间、固定的地点、固定的事，见面会才能成为大家期待的"
        "习惯。",
        "Turn online acquaintance into offline trust. A fixed time, a fixed place and a fixed "
        "activity make the meet-up a habit people look forward to."),
    format=Pair(
        "在固定地点见面约两小时：每人一分钟自我介绍，一个小主题的分享或讨论，然后自由交流。"
        "名额有限，接龙报名；费用AA或按群公告。结束后发回顾、征求意见，争取固定为每月一次。",
        "About two hours at a fixed place: a one-minute introduction from everyone, a short "
        "talk or discussion on one topic, then open conversation. Places are limited and "
        "sign-up is by a list in the group (接龙); costs are shared or as announced. A recap "
        "and a call for feedback follow, aiming for the same time and place every month."),
    materials=(
        Pair("场地：公共场所，确认容量、交通和费用",
             "A venue: a public place, with capacity, transport and cost confirmed"),
        Pair("接龙报名表（写明名额）", "Sign-up list (接龙) with the number of places"),
        Pair("一个讨论主题和破冰环节", "One discussion topic and an icebreaker"),
        Pair("签到名单、名字贴", "Sign-in list and name stickers"),
    ),
    risks=(
        Risk(Pair("报名了不来，或来的人超出场地容量",
                  "People sign up and don't come, or more come than the venue holds"),
             Pair("前一天在群里再确认一次，设候补名单；去不了的请提前从接龙里删掉自己。",
                  "Confirm the day before and keep a waiting list; ask those who cannot come "
                  "to take their name off the list early.")),
        Risk(Pair("安全问题", "Safety"),
             Pair("选公共场所，不要太晚结束；不收押金，费用当场AA。",
                  "Choose a public place and do not finish late; take no deposits, share "
                  "costs on the spot.")),
        Risk(Pair("照片里出现不想出镜的人",
                  "Photos of people who did not want to be photographed"),
             Pair("合影前先问，只发同意出镜的人的照片。",
                  "Ask before group photos and post only photos of people who agreed.")),
        Risk(Pair("冷场，或熟人扎堆、新人落单",
                  "Awkward silence, or old friends clustering while newcomers stand alone"),
             Pair("准备破冰环节和一个讨论主题，请老成员主动带新人。",
                  "Prepare an icebreaker and a topic, and ask long-standing members to look "
                  "after newcomers.")),
        Risk(Pair("有人现场推销", "Someone starts selling at the meet-up"),
             Pair("报名时说明不做推销，主持人现场温和制止。",
                  "Say at sign-up that there is no selling, and have the host stop it "
                  "politely.")),
    ),
    duties=(
        Duty(Pair("组织者", "Organiser"), Pair("定场地、时间和人数上限，管理报名和费用",
                                            "Books the venue, sets the time and capacity, "
                                            "manages sign-up and costs")),
        Duty(Pair("主持人", "Host"), Pair("开场、破冰、控制时间",
                                       "Opens, runs the icebreaker, keeps time")),
        Duty(Pair("接待", "Welcome desk"), Pair("门口签到，把新人介绍给大家",
                                             "Signs people in and introduces newcomers")),
        Duty(Pair("记录（可选）", "Note-taker (optional)"),
             Pair("整理讨论要点；拍照只拍同意出镜的人",
                  "Writes up the discussion; photographs only people who agreed")),
    ),
    budget=Pair(
        "场地费（茶馆、咖啡馆包间或共享会议室，每次约200–800元），AA或由主办方承担；"
        "茶水点心另计。",
        "Venue hire (a tea house, a café's private room or a shared meeting room, about "
        "200–800 yuan a time), shared among those who come or paid by the organiser; drinks "
        "and snacks extra."),
    measures=(
        Measure("signups", 25, Pair("接龙报名人数", "sign-ups")),
        Measure("participants", 30, Pair("活动期间发言人数", "members who spoke during the "
                                                       "campaign")),
        Measure("messages", 200, Pair("活动期间群消息数", "messages in the group during the "
                                                   "campaign")),
    ),
    warmup_days=7,
    ignition_days=1,
    monitoring_days=3,
    steps=(
        Step("warmup", 0, "20:00", "post", Pair(
            "【{campaign}】{date} {time}，地点：{place}。流程：每人一分钟自我介绍，一个小主题的分享"
            "和讨论，然后自由交流，大约两小时。名额有限，请接龙报名，写上昵称和一句话介绍。",
            "[{campaign}] {date} at {time}, at {place}. Programme: a one-minute introduction "
            "from everyone, a short talk and discussion on one topic, then open conversation; "
            "about two hours. Places are limited: add yourself to the sign-up list with your "
            "name and one line about yourself.")),
        Step("warmup", 3, "20:00", "remind", Pair(
            "{campaign}报名进行中：{date} {time}，{place}。已报名的朋友如果去不了，"
            "请提前从接龙里删掉自己，把位置留给别人。",
            "Sign-up for {campaign} is open: {date} at {time}, at {place}. If you signed up "
            "and cannot come, please take your name off the list so someone else can have "
            "the place.")),
        Step("warmup", 5, "20:00", "post", Pair(
            "【行前须知】时间：{date} {time}；地点：{place}。费用和交通见群公告。现场会拍合影，"
            "不想出镜的朋友到场后告诉工作人员就好。",
            "[Before you come] When: {date} at {time}. Where: {place}. Costs and directions "
            "are in the group announcement. There will be a group photo; if you prefer not to "
            "appear, just tell the organisers when you arrive.")),
        Step("warmup", 6, "20:00", "remind", Pair(
            "明天就是{campaign}：{time}，{place}。出门前看一眼天气和路线，明天见！",
            "{campaign} is tomorrow: {time}, at {place}. Check the weather and your route "
            "before you leave. See you tomorrow!")),
        Step("ignition", 0, "09:00", "remind", Pair(
            "今天{time}，{place}，{campaign}见。找不到地方请在群里说一声。",
            "Today at {time}, at {place}: see you at {campaign}. If you cannot find the "
            "place, say so here in the group.")),
        Step("monitoring", 0, "20:00", "post", Pair(
            "【{campaign}回顾】谢谢昨天到场的每一位朋友。照片（只发同意出镜的）和讨论要点整理好后"
            "发在群里。到场的朋友说一句：认识了谁，聊到了什么？",
            "[{campaign}: recap] Thank you to everyone who came yesterday. Photos (only of "
            "those who agreed) and notes from the discussion will be posted here. If you were "
            "there: who did you meet, and what did you talk about?")),
        Step("monitoring", 2, "20:00", "post", Pair(
            "【下一次】这次见面会哪些地方可以做得更好？时间、地点、形式都欢迎提意见。"
            "我们打算把见面会固定下来，每月同一时间、同一地点见。",
            "[Next time] What would make the meet-up better? Time, place, format: all "
            "suggestions welcome. We would like to make it a fixture: same time, same place, "
            "every month.")),
    ),
)

#: the shipped templates by key, in the order an operator sees them
TEMPLATES: dict[str, CampaignTemplate] = {t.key: t for t in (
    _CHECKIN21, _SHARING_SERIES, _RED_ENVELOPE_RAIN, _WELCOME_WEEK, _PRODUCT_LAUNCH, _MEETUP)}


def get(key: str) -> CampaignTemplate:
    """The template ``key``; a ``KeyError`` lists the keys there are."""
    try:
        return TEMPLATES[key]
    except KeyError:
        raise KeyError(f"no campaign template {key!r}; the templates are: "
                       f"{', '.join(TEMPLATES)}") from None


def placeholders_used(template: CampaignTemplate) -> list[str]:
    """The placeholders the template's steps use, in :data:`PLACEHOLDERS` order: the
    values (beyond the defaulted campaign and date) a form must ask the operator for."""
    used = {name for step in template.steps for name in placeholders(step.text.zh)}
    return [p for p in PLACEHOLDERS if p in used]


# -- planning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseDates:
    """The local first day of each phase, and ``end``: the day after the last one."""

    warmup: date
    ignition: date
    monitoring: date
    end: date

    def start_of(self, phase: Phase) -> date:
        return {"warmup": self.warmup, "ignition": self.ignition,
                "monitoring": self.monitoring}[phase]

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime, datetime, datetime]:
        """Local midnight of each date in ``zone``, as UTC: the phase boundaries the
        campaign figures (:mod:`.campaign`) count between."""
        midnight = time(0, 0)
        return (local_moment(self.warmup, midnight, zone),
                local_moment(self.ignition, midnight, zone),
                local_moment(self.monitoring, midnight, zone),
                local_moment(self.end, midnight, zone))


def phase_dates(template: CampaignTemplate, warmup_start: date) -> PhaseDates:
    """When each phase starts: they follow one another with no gap."""
    ignition = warmup_start + timedelta(days=template.warmup_days)
    monitoring = ignition + timedelta(days=template.ignition_days)
    return PhaseDates(warmup_start, ignition, monitoring,
                      monitoring + timedelta(days=template.monitoring_days))


@dataclass(frozen=True)
class PlannedStep:
    """A step placed in time: ``at`` is UTC (``at.astimezone(zone)`` shows the local time);
    ``index`` is the step's position in ``template.steps``."""

    index: int
    phase: Phase
    kind: StepKind
    at: datetime
    text: str


def plan_steps(template: CampaignTemplate, warmup_start: date, zone: ZoneInfo,
               lang: str = "zh-hans", **values: str) -> list[PlannedStep]:
    """Every step of ``template`` for a campaign whose warm-up starts on ``warmup_start``
    (a local date in ``zone``), in time order, texts rendered in ``lang``.

    ``campaign`` defaults to the template's name and ``date`` to the first day of ignition
    — the day members are told the campaign starts (the meet-up day, the launch day) —
    written as :func:`date_text` does; pass ``group``, ``time`` and ``place`` where
    :func:`placeholders_used` lists them, or a ``TemplateError`` names the missing one.
    Local times skipped by a clock change move to just after the gap.
    """
    dates = phase_dates(template, warmup_start)
    filled: dict[str, str] = {"campaign": text(template.name, lang),
                              "date": date_text(dates.ignition, lang), **values}
    planned = []
    for index, step in enumerate(template.steps):
        day = dates.start_of(step.phase) + timedelta(days=step.day)
        planned.append(PlannedStep(index=index, phase=step.phase, kind=step.kind,
                                   at=local_moment(day, parse_hhmm(step.time), zone),
                                   text=render_step(text(step.text, lang), **filled)))
    return planned

