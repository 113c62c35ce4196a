"""Texts operators edit: welcome message, 群公告, series names, the 破冰 template.

Operators write ``{name}`` placeholders and nothing else: no attribute or index access
and no format specs, because these texts are typed by people who are not programmers and
``str.format`` would let a template read any attribute of the values passed in. ``{{``
and ``}}`` are literal braces. Errors name the placeholder or the character, so the edit
form can say what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from qunzhu.core.text import language

from .messages import pick


class TemplateError(ValueError):
    """A template that cannot be rendered; ``placeholder`` or ``position`` (0-based index
    into the template) says where, when known."""

    def __init__(self, message: str, *, placeholder: str | None = None,
                 position: int | None = None) -> None:
        super().__init__(message)
        self.placeholder = placeholder
        self.position = position


def _parse(template: str) -> Iterator[tuple[str, bool, int]]:
    """(literal text or placeholder name, is_placeholder, position) pieces, in order."""
    i, literal, n = 0, [], len(template)
    while i < n:
        ch = template[i]
        if ch in "{}" and template.startswith(ch * 2, i):
            literal.append(ch)
            i += 2
        elif ch == "}":
            raise TemplateError(f"unmatched '}}' at character {i + 1}; write '}}}}' for a "
                                f"literal brace", position=i)
        elif ch == "{":
            end = template.find("}", i + 1)
            opening = template.find("{", i + 1)
            if end < 0 or 0 <= opening < end:
                raise TemplateError(f"unclosed '{{' at character {i + 1}; write '{{{{' for a "
                                    f"literal brace", position=i)
            name = template[i + 1:end]
            if not name.isidentifier():
                raise TemplateError(f"{{{name}}} at character {i + 1} is not a placeholder: "
                                    f"use a plain name such as {{name}}",
                                    placeholder=name, position=i)
            if literal:
                yield "".join(literal), False, i
                literal = []
            yield name, True, i
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        yield "".join(literal), False, n


def placeholders(template: str) -> list[str]:
    """The placeholder names in ``template``, each once, in order of first use."""
    return list(dict.fromkeys(piece for piece, is_name, _ in _parse(template) if is_name))


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{name}`` replaced by ``values[name]``."""
    out = []
    for piece, is_name, position in _parse(template):
        if not is_name:
            out.append(piece)
        elif piece in values:
            out.append(str(values[piece]))
        else:
            known = ", ".join(f"{{{k}}}" for k in values) or "none"
            raise TemplateError(f"unknown placeholder {{{piece}}}; use one of {known}",
                                placeholder=piece, position=position)
    return "".join(out)


def next_series_name(template: str, community: str, used: Iterable[int]) -> tuple[int, str]:
    """The next group of a series (系列命名), e.g. "{community}{n}群" → (4, "读书会4群").

    ``n`` is one above the highest number used, never a gap: a number that belonged to an
    archived group is not handed out again, so old screenshots and links stay unambiguous.
    ``{nn}`` is ``n`` zero-padded to two digits.
    """
    names = placeholders(template)
    if "n" not in names and "nn" not in names:
        raise TemplateError("a series name needs {n} or {nn}, or every group gets the same "
                            "name", placeholder="n")
    n = max([0, *used]) + 1
    return n, render(template, {"community": community, "n": str(n), "nn": f"{n:02d}"})


_ANNOUNCEMENT = {
    "header": ("[{community} — group announcement]",
               "【{community} 群公告】"),
    "rules": ("Group rules (decided by the members' vote):",
              "群规（由成员投票决定）："),
    "none": ("(no rules yet)", "（暂无群规）"),
    "footer": ("Rules change only by a members' vote: anyone may propose a change, and the "
               "group votes on it.",
               "群规只能通过成员投票修改：任何人都可以提出修改，由全群投票决定。"),
}


def announcement(rules: Sequence[tuple[str, str]], *, community: str, lang: str = "zh-hans",
                 intro: str = "") -> str:
    """The 群公告 text from the enabled rules, as (title, one-line summary), numbered.

    ``intro`` is finished text, put in as it is (render the operator's template first);
    empty leaves it out.
    """
    def part(key: str) -> str:
        return pick(*_ANNOUNCEMENT[key], lang).replace("{community}", community)

    colon = ": " if language(lang) == "en" else "："
    lines = [part("header")]
    if intro.strip():
        lines.append(intro.strip())
    lines.append(part("rules"))
    for i, (title, summary) in enumerate(rules, start=1):
        title, summary = title.strip(), summary.strip()
        lines.append(f"{i}. {title}{colon}{summary}" if summary else f"{i}. {title}")
    if not rules:
        lines.append(part("none"))
    lines.append(part("footer"))
    return "\n".join(lines)


ICEBREAKER_FIELDS: dict[str, tuple[str, str]] = {
    "name": ("Name", "昵称"),
    "city": ("City", "城市"),
    "work": ("Work", "职业"),
    "interests": ("Interests", "兴趣爱好"),
    "skills": ("What I can offer", "我能提供"),
    "needs": ("What I am looking for", "我想获得"),
    "why_joined": ("Why I joined", "入群原因"),
    "fun_fact": ("A fun fact about me", "关于我的一件趣事"),
}


def icebreaker(fields: Sequence[str], lang: str = "zh-hans") -> str:
    """The 破冰 self-introduction members copy, fill in and post: "【自我介绍】\\n昵称：\\n…"."""
    unknown = [f for f in fields if f not in ICEBREAKER_FIELDS]
    if unknown:
        raise ValueError(f"fields: unknown field {unknown[0]!r}; "
                         f"use any of {', '.join(ICEBREAKER_FIELDS)}")
    if not fields:
        raise ValueError("fields: choose at least one field")
    english = language(lang) == "en"
    header, colon = ("[Self-introduction]", ":") if english else ("【自我介绍】", "：")
    labels = [pick(*ICEBREAKER_FIELDS[f], lang) + colon for f in dict.fromkeys(fields)]
    return "\n".join([header, *labels])


#: which placeholders each default text uses; an edited text may use the same ones
TEXT_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "welcome": ("name", "group", "community"),
    "announcement_intro": ("community",),
    "vote_open": ("title", "summary", "deadline", "quorum_needed"),
    "vote_result": ("title", "result"),
    "removal": ("name", "group", "reason"),
}

_DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    "welcome": ("Welcome @{name} to {group}! Please read the group announcement first, then "
                "introduce yourself with the self-introduction template.",
                "欢迎 @{name} 加入{group}！请先读一读群公告，再按破冰模板做个自我介绍。"),
    "announcement_intro": ("Welcome to {community}. The members decide these rules "
                           "together; please read them before you post.",
                           "欢迎来到{community}。这些群规由大家一起投票决定，发言前请先读一读。"),
    "vote_open": ("[Rule vote] {title}\n{summary}\nReply yes, no or abstain before "
                  "{deadline}. The vote counts once {quorum_needed} members have voted.",
                  "【群规投票】{title}\n{summary}\n请在 {deadline} 前回复“赞成”“反对”或“弃权”。"
                  "至少 {quorum_needed} 人投票，结果才有效。"),
    "vote_result": ("[Vote result] {title}: {result}", "【投票结果】{title}：{result}"),
    "removal": ("@{name}, you have been removed from {group}. Reason: {reason} If you "
                "think this is wrong, please contact a manager.",
                "@{name}，你已被移出{group}。原因：{reason}如有异议，请联系管理员。"),
}


def default_texts(lang: str) -> dict[str, str]:
    """The texts a new community starts with (operators edit them); placeholders per
    text are in :data:`TEXT_PLACEHOLDERS`. ``reason`` and ``result`` are meant to be a
    :class:`Removal`'s or :class:`Tally`'s ``text()``."""
    return {key: pick(en, zh, lang) for key, (en, zh) in _DEFAULT_TEXTS.items()}
