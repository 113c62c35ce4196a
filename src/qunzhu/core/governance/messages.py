"""Sentences for governance results, en and zh-Hans (zh-Hant converted with OpenCC).

Results carry a code and plain parameters (JSON-ready), never finished sentences, so the
audit log stays machine-readable and each reader gets their language — the same scheme
as :mod:`qunzhu.core.health.reasons`. Importing that module would pull in NumPy and
igraph through ``qunzhu.core.health``, so the few lines of language handling live here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qunzhu.core.text import language, to_traditional

LANGUAGES = ("en", "zh-hans", "zh-hant")

# code → (English, Simplified Chinese); parameters are formatted with str.format.
CATALOGUE: dict[str, tuple[str, str]] = {
    # votes
    "vote.counts": ("{yes} yes, {no} no, {abstain} abstain; turnout {turnout:.0%} "
                    "(quorum {quorum:.0%})",
                    "赞成 {yes}、反对 {no}、弃权 {abstain}；"
                    "投票率 {turnout:.0%}（法定 {quorum:.0%}）"),
    "vote.share": ("; yes {share:.0%} of yes and no (must exceed {majority:.0%})",
                   "；赞成占 {share:.0%}（需超过 {majority:.0%}）"),
    "vote.passed": (": passed.", "，通过。"),
    "vote.quorum_not_met": (": quorum not met ({cast} of the {needed} ballots needed), "
                            "not passed.",
                            "，未达法定人数（需 {needed} 票，实投 {cast} 票），未通过。"),
    "vote.tie": (": a tie, not passed.", "，赞成与反对票数相同，未通过。"),
    "vote.rejected": (": not passed.", "，未通过。"),
    "vote.no_votes": ("No ballots were cast ({eligible} eligible, quorum {quorum:.0%}): "
                      "not passed.",
                      "无人投票（有投票权 {eligible} 人，法定 {quorum:.0%}），未通过。"),
    # elimination (clauses: Removal.text joins them into one sentence)
    "elimination.quota": ("Quota {keep}, members {members}: active days {active_days}, "
                          "messages {messages}, rank {rank} from the bottom of the {ranked} "
                          "who could go",
                          "群定额 {keep} 人、现有 {members} 人；此人活跃 {active_days} 天、发言 "
                          "{messages} 条，在可移出的 {ranked} 人中活跃度倒数第 {rank}"),
    "elimination.violations": ("Strikes: {strikes}, at or above the removal line of "
                               "{threshold}",
                               "累计违规 {strikes} 次，达到剔除线 {threshold} 次"),
    "elimination.points_minimum": ("Points: {points}, below the minimum of {minimum}",
                                   "积分 {points}，低于最低积分 {minimum}"),
    "elimination.points_bottom": ("Points: {points}, rank {rank} from the bottom of {ranked}; "
                                  "the bottom {bottom} go (ties at the cut-off stay)",
                                  "积分 {points}，在参与排名的 {ranked} 人中排倒数第 {rank}；"
                                  "末位淘汰 {bottom} 人（与分界线同分者保留）"),
    "elimination.outcome": ("Tasks completed: {completed}, required: {required}",
                            "完成成果 {completed} 项，要求至少 {required} 项"),
    "elimination.spared": ("recent joiners spared (in the {grace_days}-day grace period): "
                           "{spared}",
                           "入群不满 {grace_days} 天的 {spared} 人不参与淘汰"),
    # standing (clauses)
    "standing.score": ("Vouching standing {score}/100 (needs {min_score}): ",
                       "举荐信用 {score}/100（门槛 {min_score}）："),
    "standing.can_vouch": ("can vouch", "可以举荐"),
    "standing.cannot_vouch": ("cannot vouch", "不能举荐"),
    "standing.tenure": ("days in the group: {tenure_days} (+{points})",
                        "入群 {tenure_days} 天（+{points}）"),
    "standing.activity": ("active days in the last 90: {active_days_90} (+{points})",
                          "近 90 天活跃 {active_days_90} 天（+{points}）"),
    "standing.clean": ("no active strikes (+{points})", "无未消除的违规（+{points}）"),
    "standing.strikes": ("active strikes: {active_strikes} ({points})",
                         "{active_strikes} 次未消除的违规（{points}）"),
    "standing.removed_invitees": ("invitees later removed: {removed_invitees} ({points})",
                                  "邀请的人中有 {removed_invitees} 人后来被移出（{points}）"),
    "standing.creator": ("creator (+{points})", "创建者（+{points}）"),
    "standing.manager": ("manager (+{points})", "管理者（+{points}）"),
    # tasks (clauses)
    "task.passed": ("Task {task_id}: passed", "任务 {task_id}：通过"),
    "task.empty": ("Task {task_id}: no answer", "任务 {task_id}：没有作答"),
    "task.needs_review": ("Task {task_id}: waiting for an operator to check it",
                          "任务 {task_id}：等待管理员审核"),
    "task.too_short": ("Task {task_id}: answer length {length}, at least {min_length} "
                       "characters needed",
                       "任务 {task_id}：回答 {length} 字，至少需要 {min_length} 字"),
    "task.missing_keywords": ("Task {task_id}: the answer does not mention {missing}",
                              "任务 {task_id}：回答中没有提到{missing}"),
    "task.also_missing": ("and it does not mention {missing}", "也没有提到{missing}"),
}


def pick(text_en: str, text_zh: str, lang: str) -> str:
    """The English or Chinese text for ``lang``; Traditional is converted from Simplified.

    Convert templates, not finished sentences, so names and keywords filled in later
    stay exactly as their owners wrote them.
    """
    lang = language(lang)
    if lang == "en":
        return text_en
    return to_traditional(text_zh) if lang == "zh-hant" else text_zh


def say(code: str, lang: str, **params: Any) -> str:
    """The sentence (or fragment) for ``code`` in ``lang``."""
    return pick(*CATALOGUE[code], lang).format(**params)


def sentence(clauses: Iterable[str], lang: str) -> str:
    """Clauses joined into one sentence: "甲；乙。" / "A; b."."""
    sep, end = ("; ", ".") if language(lang) == "en" else ("；", "。")
    return sep.join(clauses) + end


def join(items: Iterable[str], lang: str) -> str:
    """A list in running text: 甲、乙、丙 / a, b, c."""
    return ("、" if language(lang) != "en" else ", ").join(items)
