"""What activities post into the group, in Simplified Chinese and English (Traditional is
converted from the Simplified text). Pure; no Django."""

from __future__ import annotations

from qunzhu.core.text import language, to_traditional

TEXTS: dict[str, tuple[str, str]] = {
    "checkin.remind": (
        "【{title}】第{day}/{days}天打卡提醒 ⏰\n{prompt}\n发送「{keyword} 第{day}天」加上你今天的内容即可打卡。",
        "[{title}] Day {day}/{days} check-in reminder ⏰\n{prompt}\nSend \"{keyword} day {day}\" "
        "with what you did today to check in."),
    "checkin.summary": (
        "【{title}】第{day}天打卡小结：{done}/{enrolled} 人已打卡。\n连续打卡前列：{leaders}\n"
        "还没打卡的伙伴：{missing}\n明天继续！",
        "[{title}] Day {day} summary: {done}/{enrolled} checked in.\nLongest streaks: {leaders}\n"
        "Not yet today: {missing}\nSee you tomorrow!"),
    "checkin.final": (
        "【{title}】{days}天打卡结束！全勤完成 {finished} 人：{names}。结业证书已发放，谢谢每一位坚持的伙伴。",
        "[{title}] The {days}-day challenge is over! {finished} finished every day: {names}. "
        "Certificates are on their way; thank you all for keeping at it."),
    "sharing.announce": (
        "【{series}】下次分享：{when}，地点：{place}\n分享人：{speaker}\n主题：{topic}\n欢迎准时参加！",
        "[{series}] Next session: {when}, at {place}\nSpeaker: {speaker}\nTopic: {topic}\n"
        "See you there!"),
    "sharing.remind": (
        "【{series}】{minutes}分钟后开始：{speaker}分享「{topic}」，地点：{place}。",
        "[{series}] Starting in {minutes} minutes: {speaker} on \"{topic}\", at {place}."),
    "homework.remind": (
        "【作业】「{title}」截止时间 {due}，还没交的伙伴抓紧哦。",
        "[Homework] \"{title}\" is due {due}; if you have not handed it in yet, now is the time."),
    "homework.featured": (
        "【优秀作业】「{title}」：{names}。值得大家一读！",
        "[Excellent work] \"{title}\": {names}. Well worth a read!"),
    "campaign.phase": (
        "活动「{title}」进入{phase}阶段（{start}）。",
        "Campaign \"{title}\" enters its {phase} phase ({start})."),
    "none": ("（暂无）", "(none)"),
    "tbd": ("待定", "to be decided"),
    "online": ("群内", "in the group"),
}

PHASES: dict[str, tuple[str, str]] = {
    "warmup": ("预热", "warm-up"), "ignition": ("引爆", "ignition"),
    "monitoring": ("监控", "monitoring"), "done": ("复盘", "retrospective"),
}


def say(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with the values filled in."""
    zh, en = TEXTS[key]
    lang = language(lang)
    template = en if lang == "en" else (to_traditional(zh) if lang == "zh-hant" else zh)
    return template.format(**values)


def phase_name(phase: str, lang: str) -> str:
    zh, en = PHASES[phase]
    lang = language(lang)
    return en if lang == "en" else (to_traditional(zh) if lang == "zh-hant" else zh)


def names(items: list[str], lang: str, limit: int = 20) -> str:
    """"张三、李四 等 25 人" — a list short enough to post."""
    if not items:
        return say("none", lang)
    sep = ", " if language(lang) == "en" else "、"
    shown = sep.join(items[:limit])
    if len(items) > limit:
        more = len(items) - limit
        shown += f" (+{more})" if language(lang) == "en" else f" 等{len(items)}人"
    return shown
