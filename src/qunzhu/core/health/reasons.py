"""Reasons and next actions: why a number is what it is, in one sentence, zh and en.

The measures return :class:`Note` values (a code and its parameters), never finished
sentences, so the JSON report stays machine-readable and each reader gets their language.
The catalogue lives here rather than in Django's message files because the core does not
import Django; Traditional Chinese is converted from Simplified with OpenCC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qunzhu.core.text import language, to_traditional

LANGUAGES = ("en", "zh-hans", "zh-hant")


@dataclass(frozen=True)
class Note:
    """One reason (``kind="reason"``) or recommended action (``kind="action"``)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "reason"

    def text(self, lang: str = "zh-hans") -> str:
        return render(self.code, self.params, lang)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "params": self.params}
        if lang is not None:
            out["text"] = self.text(lang)
        else:
            out["text"] = {k: self.text(k) for k in ("en", "zh-hans")}
        return out


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """NumPy scalars → Python numbers, floats rounded: parameters end up in JSON."""
    out = {}
    for key, value in params.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float):
            value = round(value, 4)
        out[key] = value
    return out


def reason(code: str, **params: Any) -> Note:
    return Note(code, _plain(params))


def action(code: str, **params: Any) -> Note:
    return Note(code, _plain(params), "action")


# code → (English, Simplified Chinese). Parameters are formatted with str.format.
CATALOGUE: dict[str, tuple[str, str]] = {
    # lifecycle
    "stage.launch": ("The group is {weeks} weeks old: still in its launch phase.",
                     "建群 {weeks} 周，仍在启动期。"),
    "stage.burst": ("Weekly active members grew {growth:.0%} a week over the last weeks: a burst.",
                    "近几周每周活跃人数每周增长 {growth:.0%}，处于爆发期。"),
    "stage.plateau": ("{active:.0f} members are active each week, {share:.0%} of the peak, "
                      "and the curve is flat: a plateau.",
                      "每周约 {active:.0f} 人发言，为峰值的 {share:.0%}，曲线平稳：平稳期。"),
    "stage.decline": ("Weekly active members fell to {active:.0f}, {share:.0%} of the peak of "
                      "{peak:.0f}: a decline.",
                      "每周活跃人数降到 {active:.0f}，仅为峰值 {peak:.0f} 的 {share:.0%}：衰退期。"),
    "stage.zombie": ("Since {since}, fewer members speak in a week than the zombie line of "
                     "{threshold:.1f} (10% of the peak of {peak:.0f}, never below 3 unless the "
                     "group never had 6): a zombie group.",
                     "自 {since} 起每周发言人数低于僵尸线 {threshold:.1f}（峰值 {peak:.0f} 的 10%，"
                     "除非从未达到 6 人，否则不低于 3）：僵尸群。"),
    "stage.empty": ("No messages in this period.", "这段时间没有消息。"),
    # zombie-risk signals
    "risk.trend": ("Weekly active members are falling {fall:.0%} a week.",
                   "每周活跃人数正以每周 {fall:.0%} 的速度下降。"),
    "risk.fall": ("{active:.1f} members a week spoke over the last four weeks, {share:.0%} of "
                  "the peak of {peak:.1f}.",
                  "近四周平均每周 {active:.1f} 人发言，为峰值 {peak:.1f} 人的 {share:.0%}。"),
    "risk.near": ("{active:.1f} active members a week is {ratio:.1f}× the zombie line of "
                  "{threshold:.1f}.",
                  "每周 {active:.1f} 人活跃，是僵尸线 {threshold:.1f} 人的 {ratio:.1f} 倍。"),
    "risk.owner_unknown": ("This export names no owner or managers, so their silence is not "
                           "judged.",
                           "导出记录里没有群主和管理员身份，因此不评判他们是否沉默。"),
    "risk.concentration": ("The top 3 speakers wrote {now:.0%} of the last two weeks' messages, "
                           "up from {before:.0%}: talk rests on ever fewer people.",
                           "近两周前 3 名发言者占 {now:.0%} 的消息，此前为 {before:.0%}：发言集中在越来越少的人身上。"),
    "risk.noise": ("{share:.0%} of the last two weeks' messages are ads, red envelopes or bots.",
                   "近两周 {share:.0%} 的消息是广告、红包或机器人。"),
    "risk.unanswered": ("{unanswered} of {newcomers} newcomers in the last four weeks got no "
                        "answer within 24 hours.",
                        "近四周 {newcomers} 位新人中有 {unanswered} 位在 24 小时内无人回应。"),
    "risk.owner_silent": ("The owner and managers have not spoken for {days} days.",
                          "群主和管理员已经 {days} 天没有发言。"),
    "risk.eta": ("At this rate the group turns zombie in about {weeks:.0f} weeks.",
                 "照此趋势，约 {weeks:.0f} 周后成为僵尸群。"),
    "risk.low": ("No warning sign: activity holds, newcomers are answered.",
                 "没有预警信号：活跃度稳定，新人有人回应。"),
    # tiers
    "tiers.split": ("{high:.0%} high, {middle:.0%} middle, {ordinary:.0%} ordinary members "
                    "against the playbook's 5 / 15 / 80.",
                    "高势能 {high:.0%}、中势能 {middle:.0%}、普通 {ordinary:.0%}，对照 5 / 15 / 80。"),
    "tiers.contact_exchange": ("Almost everyone is high-tier: a contact-exchange group (联络群) "
                               "where people meet but nobody follows.",
                               "几乎都是高势能成员：这是联络群，大家互加好友，却没有追随者。"),
    "tiers.no_role_models": ("Nobody is high-tier: members have no role model to look up to.",
                             "没有高势能成员：群里缺少榜样。"),
    "tiers.no_middle": ("There is no middle tier: no one bridges the few leaders and the crowd.",
                        "没有中势能成员：领袖和普通成员之间缺少衔接。"),
    "tiers.flood": ("Nearly everyone is ordinary: a chit-chat flood group (灌水群).",
                    "几乎都是普通成员：这是灌水群。"),
    "tiers.skewed": ("The split is {distance:.0%} away from 5 / 15 / 80.",
                     "势能分布偏离 5 / 15 / 80 达 {distance:.0%}。"),
    "tiers.balanced": ("The split is close to 5 / 15 / 80.", "势能分布接近 5 / 15 / 80。"),
    "tiers.too_few": ("Only {n} members spoke: too few to judge the split.",
                      "只有 {n} 人发言，人数太少，无法判断势能分布。"),
    # graph
    "graph.pyramid": ("{share:.0%} of all interactions involve {centre}: a pyramid around one "
                      "person (degree centralization {c:.2f}).",
                      "{share:.0%} 的互动都与 {centre} 有关：以一人为中心的金字塔（度中心势 {c:.2f}）。"),
    "graph.ring": ("{centres} members each hold a share of the interactions: a ring of several "
                   "centres (degree centralization {c:.2f}).",
                   "{centres} 位成员分担互动：多中心的环形结构（度中心势 {c:.2f}）。"),
    "graph.sparse": ("Only {edges} interactions between members: too few to see a shape.",
                     "成员之间只有 {edges} 次互动，看不出结构。"),
    "graph.link_degree": ("Each active member interacts with {degree:.1f} others on average; "
                          "density {density:.2f}.",
                          "每位活跃成员平均与 {degree:.1f} 人互动；网络密度 {density:.2f}。"),
    "graph.inferred_all": ("All {n} reply links are inferred from timing and names (the export "
                           "records none); mean confidence {confidence:.0%}.",
                           "全部 {n} 条回复关系都是根据时间和称呼推断的（导出文件没有记录回复）；"
                           "平均把握 {confidence:.0%}。"),
    "graph.inferred_some": ("{share:.0%} of the reply links ({n}) are inferred from timing and "
                            "names, mean confidence {confidence:.0%}; the export recorded the rest.",
                            "{share:.0%} 的回复关系（{n} 条）是根据时间和称呼推断的，平均把握 "
                            "{confidence:.0%}；其余由导出文件记录。"),
    "graph.isolates": ("{n} members spoke but nobody answered them, and they answered nobody.",
                       "{n} 位成员发过言，但与任何人都没有互动。"),
    # output
    "output.share": ("{share:.0%} of messages are substantive (long, a link or file, or an answer).",
                     "{share:.0%} 的消息有实质内容（长文、链接、文件或回答）。"),
    "output.spread": ("Output is {spread} (Gini {gini:.2f}); the leader wrote {leader:.0%} of it.",
                      "输出{spread}（基尼系数 {gini:.2f}）；第一名贡献了其中 {leader:.0%}。"),
    # noise
    "noise.ads": ("{n} hard ads from {senders} accounts: promotion with evidence (a price, a "
                  "contact id, a mini-program card, or a link pushed by new accounts).",
                  "{senders} 个账号发了 {n} 条硬广：有推销证据（价格、联系方式、小程序，"
                  "或新账号反复推送的链接）。"),
    "noise.repeated": ("The same text was posted {n} times by {senders} accounts.",
                       "同一段文字被 {senders} 个账号发了 {n} 次。"),
    "noise.newcomer_links": ("{n} newcomers posted a link within an hour of joining.",
                             "{n} 位新人入群一小时内就发了链接。"),
    "noise.night_flood": ("{n} messages between {start} and {end} during quiet hours.",
                          "{start} 至 {end} 的休息时段内刷了 {n} 条消息。"),
    "noise.red_envelopes": ("{share:.0%} of messages are red envelopes with nothing said.",
                            "{share:.0%} 的消息只是红包，没有交流。"),
    "noise.oversize": ("{members} members: above ~300 a group becomes noisy.",
                       "群成员 {members} 人：超过约 300 人，群就会变吵。"),
    # five elements
    "score.interest": ("{returning:.0%} of active members came back in a later week; "
                       "{noise:.0%} of traffic is noise.",
                       "{returning:.0%} 的活跃成员在之后的周里再次发言；{noise:.0%} 的消息是噪音。"),
    "score.structure": ("Tier split {distance:.0%} away from 5 / 15 / 80; {shape}; "
                        "managers {managers}.",
                        "势能分布偏离 5 / 15 / 80 {distance:.0%}；{shape}；管理员{managers}。"),
    "score.output": ("{share:.0%} substantive messages from {contributors} contributors, "
                     "Gini {gini:.2f}.",
                     "{contributors} 位成员贡献了 {share:.0%} 的实质内容，基尼系数 {gini:.2f}。"),
    "score.operations": ("{answered:.0%} of newcomers were answered; median first reply "
                         "{reply}; activity on {days:.0%} of days.",
                         "{answered:.0%} 的新人得到回应；首次回复中位数 {reply}；{days:.0%} 的日子有人发言。"),
    "score.no_data": ("Not enough data for {parts}: left out of the score, not guessed.",
                      "{parts}数据不足：不计入得分，也不猜测。"),
    "score.operations_no_newcomers": ("No newcomer in the last eight weeks; median first reply "
                                      "{reply}; activity on {days:.0%} of days.",
                                      "近八周没有新人；首次回复中位数 {reply}；{days:.0%} 的日子有人发言。"),
    "score.owner_likely": ("No roles in this export: {name}, the most active in the first "
                           "four weeks, is likely the owner (a guess, not used in any score).",
                           "导出记录没有角色信息：建群头四周发言最多的 {name} 可能是群主（仅为推测，不计入任何得分）。"),
    "score.big_but_working": ("{active} active members, above {size}, but fewer than two "
                              "signs of strain (newcomers unanswered, members saying less, "
                              "talk falling apart into topics): no need to split for size alone.",
                              "活跃成员 {active} 人，超过 {size} 人，但吃力的迹象（新人无人回应、人均发言减少、"
                              "话题分裂）不到两项：不必只因人数而拆分。"),
    "score.replication": ("{active} active members against a recommended {size}; "
                          "{seeds} high-tier members could seed a new group.",
                          "活跃成员 {active} 人，建议上限 {size} 人；{seeds} 位高势能成员可作新群的种子。"),
    # actions
    "do.checkin": ("Start a 21-day check-in to rebuild a daily habit.",
                   "发起 21 天打卡，重建每天发言的习惯。"),
    "do.split": ("Split the group: {active} active members > {size}, the size a learning "
                 "group works with.",
                 "拆分群：活跃成员 {active} 人，超过学习型群适合的 {size} 人。"),
    "do.split_symptoms": ("Consider splitting: {active} active members and the group shows "
                          "strain ({symptoms}). First ask whether it should replicate at all.",
                          "可以考虑拆分：活跃成员 {active} 人，且已出现吃力的迹象（{symptoms}）。"
                          "先想清楚这个群是否应该复制。"),
    "do.rule_vote": ("Hold a rule vote on ads and quiet hours: {ads} ads in this period.",
                     "就广告和禁言时间发起规则投票：本期有 {ads} 条广告。"),
    "do.welcome": ("Welcome the {n} newcomers of the last four weeks whom nobody answered.",
                   "欢迎近四周那 {n} 位无人回应的新人。"),
    "do.owner_back": ("The owner should speak again: post a topic or host a sharing session.",
                      "群主应重新发声：抛出话题或主持一次分享。"),
    "do.role_models": ("Invite two or three active members to lead sharing sessions: the "
                       "group needs role models.",
                       "邀请两三位活跃成员主持分享：群里需要榜样。"),
    "do.middle": ("Give active ordinary members small roles (host a topic, answer newcomers) "
                  "to grow a middle tier.",
                  "给活跃的普通成员安排小角色（主持话题、回应新人），培养中势能层。"),
    "do.sharing": ("Schedule a rotating sharing session so output does not rest on one "
                   "person.",
                   "安排轮流分享，别让输出只靠一个人。"),
    "do.protect_centres": ("Protect the opinion leaders: {names} carry the group.",
                           "保护意见领袖：{names} 撑起了这个群。"),
    "do.activity": ("Run a campaign (warm-up, ignition, monitoring) to bring members back.",
                    "策划一次活动（预热、引爆、监控），把成员拉回来。"),
    "do.archive": ("Archive the group or restart it with its remaining core members.",
                   "归档此群，或用剩下的核心成员重启。"),
    "do.clean_ads": ("Review the messages of the {n} accounts that posted hard ads; record "
                     "strikes under the rulebook, and remove an account only after its "
                     "strikes or your review.",
                     "复核发硬广的 {n} 个账号的消息；按群规记违规，累计违规或经你复核后再移出。"),
    "do.quiet_hours": ("Set quiet hours (23:00–07:00) in the rulebook.",
                       "在群规中设定禁言时间（23:00–07:00）。"),
    "do.onboarding": ("Build an onboarding routine: announcement, welcome, self-introduction.",
                      "建立入群流程：群公告、欢迎语、破冰自我介绍。"),
}

SPREAD_WORDS = {"wide": ("spread across many members", "分布广泛"),
                "narrow": ("concentrated on a few members", "集中在少数人身上"),
                "one": ("carried by one person", "只靠一个人")}
SHAPE_WORDS = {"pyramid": ("a pyramid", "金字塔结构"), "ring": ("a ring", "环形结构"),
               "sparse": ("no clear shape", "结构不清")}
MANAGER_WORDS = {"active": ("active", "在发言"), "silent": ("silent", "沉默"),
                 "unknown": ("not known", "未知")}
#: parts of the five elements (for "not enough data for …")
PART_WORDS = {"returning": ("returning members", "回访成员"), "clean": ("clean traffic", "干净的消息"),
              "tiers": ("the tier split", "势能分布"), "shape": ("the shape", "结构"),
              "managers": ("the owner and managers", "群主和管理员"),
              "share": ("substantive share", "实质内容占比"), "spread": ("spread", "分布"),
              "contributors": ("contributors", "贡献者"),
              "answered": ("newcomers answered", "新人回应"),
              "reply_speed": ("reply speed", "回复速度"), "rhythm": ("rhythm", "发言节奏"),
              "size": ("size", "规模"), "seeds": ("seed members", "种子成员")}
#: signs that a group has outgrown itself (score.split_symptoms)
SYMPTOM_WORDS = {"unanswered": ("half the newcomers unanswered", "半数新人无人回应"),
                 "quieter": ("members saying less", "人均发言减少"),
                 "topics": ("talk falling apart into topics", "话题分裂")}


def render(code: str, params: dict[str, Any], lang: str) -> str:
    """The sentence for ``code`` in ``lang`` (en, zh-hans or zh-hant; zh falls back to hans)."""
    en, zh = CATALOGUE[code]
    lang = language(lang)
    if lang == "en":
        return en.format(**_words(params, 0))
    text = zh.format(**_words(params, 1))
    return to_traditional(text) if lang == "zh-hant" else text


def _words(params: dict[str, Any], i: int) -> dict[str, Any]:
    out = dict(params)
    for key, table in (("spread", SPREAD_WORDS), ("shape", SHAPE_WORDS),
                       ("managers", MANAGER_WORDS)):
        value = out.get(key)
        if isinstance(value, str) and value in table:
            out[key] = table[value][i]
    for key, table in (("parts", PART_WORDS), ("symptoms", SYMPTOM_WORDS)):
        value = out.get(key)
        if isinstance(value, list):
            words = [table[v][i] if v in table else str(v) for v in value]
            out[key] = (", " if i == 0 else "、").join(words)
    return out
