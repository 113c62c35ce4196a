"""The five admission gates end to end: what a joiner, a reviewer and the audit log see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from qunzhu.audit.log import Actor
from qunzhu.audit.models import ActorKind, AuditEntry
from qunzhu.community.models import Identity, Membership, MembershipStatus, Person
from qunzhu.governance import gates
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    Admission,
    AdmissionNote,
    AdmissionStatus,
    Invite,
    OutboxAction,
    Payment,
    Strike,
)
from qunzhu.governance.outbox import enqueue

from . import add_member, base_time, make_group, post, row_counts, verbs

T0 = base_time()
JOINER = Actor(ActorKind.MEMBER, "join page")


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Refusals are asserted in English whatever the catalogue holds for zh-hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def reviewer(operator):  # type: ignore[no-untyped-def]
    return Actor.operator(operator)


def gate(group, kind, **settings):  # type: ignore[no-untyped-def]
    return gates.do_set_gate(Actor.system("setup"), group, kind, settings=settings)


def membership_of(admission: Admission) -> Membership:
    admission.refresh_from_db()
    return Membership.objects.get(person=admission.person, group=admission.group)


def notes(admission: Admission) -> list[tuple[str, str]]:
    return list(AdmissionNote.objects.filter(admission=admission)
                .order_by("at", "id").values_list("verb", "text"))


# ---------------------------------------------------------------- invitation 邀请制

def test_valid_invite_admits_at_once_with_gate_inviter_and_channel(community, group,
                                                                   reviewer):
    inviter = add_member(group, "老王", roles=["manager"]).person
    gate(group, "invitation")
    invite = gates.do_create_invite(reviewer, community, group=group, inviter=inviter,
                                    max_uses=3)
    assert invite.channel == "member"  # an inviter makes it a member referral

    admission = gates.do_submit(JOINER, group, "invitation", name=" 小李 ", invite=invite,
                                external_id="wx_li", now=T0)

    assert admission.status == AdmissionStatus.APPROVED
    assert admission.name == "小李"
    membership = membership_of(admission)
    assert membership.status == MembershipStatus.ACTIVE
    assert (membership.gate, membership.inviter, membership.channel) == (
        "invitation", inviter, "member")
    assert membership.roles == ["participant"]
    assert membership.joined == T0
    assert Identity.objects.get(external_id="wx_li").person == admission.person
    invite.refresh_from_db()
    assert invite.uses == 1
    approve = AuditEntry.objects.get(verb="admission.approve")
    assert approve.actor_kind == ActorKind.RULE
    assert approve.after["inviter"] == inviter.pk and approve.after["channel"] == "member"
    assert verbs(community)[-4:] == ["invite.create", "admission.submit", "admission.approve",
                                     "outbox.enqueue"]


def test_invite_uses_are_counted_until_used_up(community, group, reviewer):
    gate(group, "invitation")
    invite = gates.do_create_invite(reviewer, community, group=group, max_uses=2)
    gates.do_submit(JOINER, group, "invitation", name="一号", invite=invite, now=T0)
    gates.do_submit(JOINER, group, "invitation", name="二号", invite=invite, now=T0)
    invite.refresh_from_db()
    assert invite.uses == 2
    before = row_counts()
    with pytest.raises(GovernanceError, match="has been used up"):
        gates.do_submit(JOINER, group, "invitation", name="三号", invite=invite, now=T0)
    assert row_counts() == before
    invite.refresh_from_db()
    assert invite.uses == 2
    assert not Person.objects.filter(display_name="三号").exists()


@pytest.mark.parametrize("case, message", [
    ("expired", "this invite expired"),
    ("revoked", "this invite was revoked"),
    ("other_group", "this invite is for another group"),
])
def test_unusable_invite_is_refused_with_a_reason_and_nothing_changes(
        community, group, reviewer, system_actor, case, message):
    gate(group, "invitation")
    target = group
    if case == "other_group":
        target = make_group(system_actor, community, name="2群", key="g2")
    invite = gates.do_create_invite(reviewer, community, group=target,
                                    expires=T0 + timedelta(hours=1))
    if case == "revoked":
        gates.do_revoke_invite(reviewer, invite, reason="leaked on a forum")
    before = row_counts()
    with pytest.raises(GovernanceError) as info:
        gates.do_submit(JOINER, group, "invitation", name="小李", invite=invite,
                        now=T0 + timedelta(hours=2 if case == "expired" else 0))
    assert message in str(info.value)
    assert invite.code in str(info.value)
    assert row_counts() == before
    invite.refresh_from_db()
    assert invite.uses == 0


def test_invitation_gate_needs_an_invite(group):
    gate(group, "invitation")
    before = row_counts()
    with pytest.raises(GovernanceError, match="needs a valid invite code"):
        gates.do_submit(JOINER, group, "invitation", name="小李", now=T0)
    assert row_counts() == before


def test_invite_of_another_community_cannot_admit(community, other_community, group,
                                                  reviewer, system_actor):
    """Tenant isolation: a code printed for community B never opens community A's group."""
    gate(group, "invitation")
    foreign = gates.do_create_invite(reviewer, other_community)  # any group of B
    before = row_counts()
    with pytest.raises(GovernanceError, match="another group"):
        gates.do_submit(JOINER, group, "invitation", name="外人", invite=foreign, now=T0)
    assert row_counts() == before
    assert Invite.objects.get(pk=foreign.pk).uses == 0

    other_group = make_group(system_actor, other_community, name="跑步1群", key="run")
    other_person = add_member(other_group, "跑者").person
    with pytest.raises(GovernanceError, match="another community"):
        gates.do_create_invite(reviewer, community, group=other_group)
    with pytest.raises(GovernanceError, match="another community"):
        gates.do_create_invite(reviewer, community, inviter=other_person)


def test_community_wide_invite_admits_into_any_group_of_its_community(community, reviewer,
                                                                       system_actor):
    second = make_group(system_actor, community, name="2群", key="g2")
    gate(second, "invitation")
    invite = gates.do_create_invite(reviewer, community, channel="offline",
                                    channel_detail="西湖店海报")
    admission = gates.do_submit(JOINER, second, "invitation", name="小李", invite=invite,
                                now=T0)
    membership = membership_of(admission)
    assert (membership.group, membership.channel, membership.inviter) == (second, "offline",
                                                                          None)


def test_setting_a_gate_is_audited_and_unknown_gates_refused(group):
    gates.do_set_gate(Actor.system("setup"), group, "paid", settings={"fee_cents": 500})
    gates.do_set_gate(Actor.system("setup"), group, "paid", settings={"fee_cents": 800})
    entries = list(AuditEntry.objects.filter(verb="gate.set").order_by("id"))
    assert [e.after["settings"]["fee_cents"] for e in entries] == [500, 800]
    assert entries[0].before is None
    assert entries[1].before["settings"]["fee_cents"] == 500
    before = row_counts()
    for kind in ("", "lottery"):
        with pytest.raises(GovernanceError, match="Unknown gate"):
            gates.do_set_gate(Actor.system("setup"), group, kind)
    assert row_counts() == before


def test_invite_settings_are_checked(community, reviewer):
    with pytest.raises(GovernanceError, match="at least one use"):
        gates.do_create_invite(reviewer, community, max_uses=0)
    with pytest.raises(GovernanceError, match="already past"):
        gates.do_create_invite(reviewer, community,
                               expires=T0 - timedelta(days=400))
    with pytest.raises(GovernanceError, match="Unknown channel"):
        gates.do_create_invite(reviewer, community, channel="carrier_pigeon")
    assert not Invite.objects.exists()


def test_gate_not_enabled_is_refused(group):
    gate(group, "invitation")
    with pytest.raises(GovernanceError, match="does not admit through the paid"):
        gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    gates.do_set_gate(Actor.system("setup"), group, "invitation", enabled=False)
    with pytest.raises(GovernanceError, match="does not admit through the invitation"):
        gates.do_submit(JOINER, group, "invitation", name="小李", now=T0)
    assert not Admission.objects.exists()


def test_unknown_gate_name_is_refused_as_a_governance_error(group):
    """A gate name from a form or URL that is not a gate at all is a refusal, not a crash."""
    gate(group, "invitation")
    with pytest.raises(GovernanceError):
        gates.do_submit(JOINER, group, "lottery", name="小李", now=T0)


def test_returning_member_is_the_same_person_and_active_again(community, group, reviewer):
    old = add_member(group, "老成员", external_id="wx_back")
    old.status, old.left = MembershipStatus.REMOVED, T0 - timedelta(days=3)
    old.save()
    gate(group, "invitation")
    invite = gates.do_create_invite(reviewer, community, group=group)
    admission = gates.do_submit(JOINER, group, "invitation", name="老成员", invite=invite,
                                external_id="wx_back", platform="wechat", now=T0)
    old.refresh_from_db()
    assert admission.person == old.person
    assert (old.status, old.left, old.gate) == (MembershipStatus.ACTIVE, None, "invitation")
    assert Person.objects.filter(display_name="老成员").count() == 1


# ---------------------------------------------------------------- task 任务制

TASKS = [{"id": "book", "kind": "answer", "prompt": "你最近读的一本书是什么？",
          "keywords": ["三体"], "min_length": 6}]


def test_task_gate_admits_when_every_automatic_check_passes(community, group):
    gate(group, "task", tasks=TASKS)
    admission = gates.do_submit(JOINER, group, "task", name="小李",
                                answers={"book": "最近在读《三體》第二部"}, now=T0)
    assert admission.status == AdmissionStatus.APPROVED
    assert [c["passed"] for c in admission.checks] == [True]
    assert membership_of(admission).gate == "task"
    entry = AuditEntry.objects.get(verb="admission.approve")
    assert entry.actor_label == "gate:task"


def test_task_gate_failed_check_asks_again_and_an_answer_rechecks(community, group):
    gate(group, "task", tasks=TASKS)
    admission = gates.do_submit(JOINER, group, "task", name="小李",
                                answers={"book": "最近在读红楼梦这本书"}, now=T0)
    assert admission.status == AdmissionStatus.NEEDS_INFO
    assert admission.checks[0]["passed"] is False
    assert admission.checks[0]["code"] == "task.missing_keywords"
    assert admission.person is None
    assert not Membership.objects.filter(group=group).exists()
    assert not OutboxAction.objects.exists()
    ask = AuditEntry.objects.get(verb="admission.ask")
    assert "三体" in ask.reason
    assert notes(admission)[-1][0] == "ask"

    again = gates.do_answer(JOINER, admission, {"book": "读完了三体，很震撼"},
                            now=T0 + timedelta(hours=1))
    assert again.status == AdmissionStatus.APPROVED
    assert [c["passed"] for c in again.checks] == [True]
    assert membership_of(again).joined == T0 + timedelta(hours=1)
    assert verbs(community)[-4:] == ["admission.ask", "admission.answer", "admission.approve",
                                     "outbox.enqueue"]


def test_task_gate_with_a_task_to_judge_waits_for_an_operator(group, reviewer):
    gate(group, "task", tasks=[*TASKS, {"id": "photo", "kind": "share",
                                        "prompt": "晒一张你的书架", "auto": False}])
    admission = gates.do_submit(JOINER, group, "task", name="小李",
                                answers={"book": "三体三部曲都读了", "photo": "img_001.jpg"},
                                now=T0)
    assert admission.status == AdmissionStatus.PENDING
    assert [c["passed"] for c in admission.checks] == [True, None]
    assert gates.do_approve(reviewer, admission, "nice shelf", now=T0).status == "approved"
    assert membership_of(admission).gate == "task"


def test_answer_is_refused_unless_asked(group, reviewer):
    gate(group, "application")
    admission = gates.do_submit(JOINER, group, "application", name="小李",
                                answers={"interests": "读书", "why": "想找书友"}, now=T0)
    before = row_counts()
    with pytest.raises(GovernanceError, match="not waiting for an answer"):
        gates.do_answer(JOINER, admission, {"why": "again"})
    assert row_counts() == before


def test_task_gate_needs_valid_tasks(group):
    with pytest.raises(GovernanceError, match="at least one task"):
        gate(group, "task", tasks=[])
    with pytest.raises(GovernanceError, match="kind"):
        gate(group, "task", tasks=[{"id": "x", "kind": "dance", "prompt": "dance"}])


# ---------------------------------------------------------------- paid 付费制

def test_paid_gate_waits_until_payments_cover_the_fee(community, group, reviewer):
    gate(group, "paid", fee_cents=9900)
    admission = gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    assert (admission.status, admission.fee_cents, admission.currency) == (
        AdmissionStatus.PENDING, 9900, "CNY")

    gates.do_record_payment(reviewer, admission, amount_cents=5000, reference="WX-1", now=T0)
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.PENDING
    assert gates.paid_cents(admission) == 5000
    assert not Membership.objects.filter(group=group).exists()
    with pytest.raises(GovernanceError, match=r"not paid yet \(¥50.00 of ¥99.00\)"):
        gates.do_approve(reviewer, admission, now=T0)

    gates.do_record_payment(reviewer, admission, amount_cents=4900, reference="WX-2",
                            now=T0 + timedelta(hours=1))
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.APPROVED
    membership = membership_of(admission)
    assert set(membership.roles) == {"participant", "payer"}
    assert membership.gate == "paid"
    assert AuditEntry.objects.get(verb="admission.approve").actor_label == "gate:paid"
    assert verbs(community).count("payment.payment") == 2


def test_refund_cannot_exceed_what_was_paid(group, reviewer):
    gate(group, "paid", fee_cents=9900)
    admission = gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    gates.do_record_payment(reviewer, admission, amount_cents=5000, now=T0)
    before = row_counts()
    with pytest.raises(GovernanceError, match=r"cannot exceed what was paid \(¥50.00\)"):
        gates.do_record_payment(reviewer, admission, amount_cents=6000, kind="refund",
                                now=T0)
    assert row_counts() == before
    gates.do_record_payment(reviewer, admission, amount_cents=5000, kind="refund", now=T0)
    assert gates.paid_cents(admission) == 0
    assert AuditEntry.objects.filter(verb="payment.refund").count() == 1


def test_payments_are_checked(group, reviewer):
    gate(group, "paid", fee_cents=9900)
    gate(group, "application")
    paid = gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    form = gates.do_submit(JOINER, group, "application", name="小王",
                           answers={"interests": "读书", "why": "想找书友"}, now=T0)
    before = row_counts()
    with pytest.raises(GovernanceError, match="Only a paid-gate application"):
        gates.do_record_payment(reviewer, form, amount_cents=100)
    with pytest.raises(GovernanceError, match="above zero"):
        gates.do_record_payment(reviewer, paid, amount_cents=0)
    gates.do_reject(reviewer, paid, "group is full", now=T0)
    after_reject = row_counts()
    with pytest.raises(GovernanceError, match="declined"):
        gates.do_record_payment(reviewer, paid, amount_cents=9900)
    assert row_counts() == after_reject
    assert before["Payment"] == after_reject["Payment"] == 0


def test_payment_kind_is_payment_or_refund(group, reviewer):
    """An unknown kind would be stored and then ignored by every sum: refuse it."""
    gate(group, "paid", fee_cents=9900)
    paid = gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    before = row_counts()
    with pytest.raises(GovernanceError):
        gates.do_record_payment(reviewer, paid, amount_cents=100, kind="gift")
    assert row_counts() == before


def test_paid_gate_needs_a_fee(group):
    with pytest.raises(GovernanceError, match="fee above zero"):
        gate(group, "paid", fee_cents=0)
    with pytest.raises(GovernanceError, match="fee above zero"):
        gate(group, "paid")


# ---------------------------------------------------------------- application 申请制

ANSWERS = {"interests": "读书，写作", "skills": "排版", "why": "想找一起读书的人"}


def test_application_needs_the_required_answers(group):
    gate(group, "application")
    before = row_counts()
    with pytest.raises(GovernanceError) as info:
        gates.do_submit(JOINER, group, "application", name="小李",
                        answers={"skills": "排版", "why": "  "}, now=T0)
    assert "What are you interested in?" in str(info.value)
    assert "Why do you want to join?" in str(info.value)
    assert "What can you share" not in str(info.value)  # optional
    assert row_counts() == before


def test_application_custom_form_is_validated_and_used(group):
    with pytest.raises(GovernanceError, match="id and a label"):
        gate(group, "application", form=[{"id": "city"}])
    gate(group, "application", form=[{"id": "city", "label": "City", "required": True}])
    with pytest.raises(GovernanceError, match="Please answer: City"):
        gates.do_submit(JOINER, group, "application", name="小李", answers={}, now=T0)
    admission = gates.do_submit(JOINER, group, "application", name="小李",
                                answers={"city": "杭州"}, now=T0)
    assert admission.status == AdmissionStatus.PENDING


def test_application_waits_then_approval_admits_and_keeps_the_reason(community, group,
                                                                     reviewer):
    gate(group, "application")
    admission = gates.do_submit(JOINER, group, "application", name="小李", answers=ANSWERS,
                                now=T0)
    assert admission.status == AdmissionStatus.PENDING
    assert not Membership.objects.filter(group=group).exists()
    assert list(Admission.objects.filter(community=community, status="pending")) == [admission]

    gates.do_approve(reviewer, admission, "good answers", now=T0 + timedelta(hours=2))
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.APPROVED
    assert admission.decided_by == "alice"
    assert admission.decided == T0 + timedelta(hours=2)
    assert admission.person.interest_tags == ["读书", "写作"]
    assert admission.person.skills == ["排版"]
    assert membership_of(admission).gate == "application"
    assert notes(admission) == [("submit", ""), ("approve", "good answers")]
    entry = AuditEntry.objects.get(verb="admission.approve")
    assert (entry.actor_kind, entry.actor_user_id, entry.reason) == (
        ActorKind.OPERATOR, reviewer.user.pk, "good answers")


def test_rejection_needs_a_reason_which_is_kept(community, group, reviewer):
    gate(group, "application")
    admission = gates.do_submit(JOINER, group, "application", name="小李", answers=ANSWERS,
                                now=T0)
    before = row_counts()
    with pytest.raises(GovernanceError, match="Say why"):
        gates.do_reject(reviewer, admission, "   ")
    assert row_counts() == before
    assert Admission.objects.get(pk=admission.pk).status == AdmissionStatus.PENDING

    gates.do_reject(reviewer, admission, "answers copied from another group", now=T0)
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.REJECTED
    assert admission.person is None
    assert notes(admission)[-1] == ("reject", "answers copied from another group")
    assert AuditEntry.objects.get(verb="admission.reject").reason == (
        "answers copied from another group")
    assert not Membership.objects.filter(group=group).exists()
    assert not OutboxAction.objects.exists()

    settled = row_counts()
    with pytest.raises(GovernanceError, match="already rejected"):
        gates.do_approve(reviewer, admission)
    with pytest.raises(GovernanceError, match="already rejected"):
        gates.do_ask(reviewer, admission, "anything else?")
    assert row_counts() == settled


def test_ask_for_more_then_answer_returns_to_the_queue(community, group, reviewer):
    gate(group, "application")
    admission = gates.do_submit(JOINER, group, "application", name="小李", answers=ANSWERS,
                                now=T0)
    with pytest.raises(GovernanceError, match="Write the question"):
        gates.do_ask(reviewer, admission, "")
    gates.do_ask(reviewer, admission, "Which book did you read last?")
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.NEEDS_INFO
    assert not Admission.objects.filter(community=community, status="pending").exists()

    gates.do_answer(JOINER, admission, {"last_book": "活着"})
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.PENDING
    assert admission.answers["last_book"] == "活着"
    assert admission.answers["why"] == ANSWERS["why"]  # earlier answers kept
    assert list(Admission.objects.filter(community=community, status="pending")) == [admission]

    gates.do_approve(reviewer, admission, "ok", now=T0)
    assert [verb for verb, _text in notes(admission)] == ["submit", "ask", "answer", "approve"]
    assert notes(admission)[1][1] == "Which book did you read last?"
    assert [v for v in verbs(community) if v.startswith("admission.")] == [
        "admission.submit", "admission.ask", "admission.answer", "admission.approve"]


# ---------------------------------------------------------------- recommendation 举荐制

def test_voucher_with_active_strikes_cannot_vouch(community, group):
    gate(group, "recommendation")
    voucher = add_member(group, "老王", roles=["manager"]).person
    Strike.objects.create(community=community, person=voucher, rule_id="hard-ads",
                          at=T0 - timedelta(days=2), expires=T0 + timedelta(days=28))
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0)
    assert admission.status == AdmissionStatus.REJECTED
    assert admission.standing["can_vouch"] is False
    assert admission.standing["active_strikes"] == 1
    verb, text = notes(admission)[-1]
    assert verb == "reject"
    assert admission.standing["text"] in text
    entry = AuditEntry.objects.get(verb="admission.reject")
    assert entry.actor_kind == ActorKind.RULE
    assert not Membership.objects.filter(group=group, person__display_name="小李").exists()
    assert not OutboxAction.objects.exists()


def test_expired_strike_no_longer_blocks_vouching(community, group):
    gate(group, "recommendation")
    voucher = add_member(group, "老王", roles=["manager"]).person
    Strike.objects.create(community=community, person=voucher, rule_id="hard-ads",
                          at=T0 - timedelta(days=40), expires=T0 - timedelta(days=10))
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0)
    assert admission.status == AdmissionStatus.PENDING
    assert admission.standing["active_strikes"] == 0


def test_good_voucher_waits_for_review_then_is_the_inviter(community, group, reviewer):
    gate(group, "recommendation")
    voucher = add_member(group, "老王", roles=["manager"],
                         joined=T0 - timedelta(days=200)).person
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0)
    assert admission.status == AdmissionStatus.PENDING
    assert admission.standing["can_vouch"] is True
    assert admission.standing["score"] >= 40
    assert admission.standing["tenure_days"] == 200
    assert admission.voucher == voucher
    assert not OutboxAction.objects.exists()

    gates.do_approve(reviewer, admission, "vouched by 老王", now=T0)
    membership = membership_of(admission)
    assert (membership.gate, membership.inviter) == ("recommendation", voucher)


def test_recommendation_auto_approve(group):
    gate(group, "recommendation", auto_approve=True)
    voucher = add_member(group, "老王", roles=["manager"]).person
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0)
    assert admission.status == AdmissionStatus.APPROVED
    assert membership_of(admission).inviter == voucher
    assert AuditEntry.objects.get(verb="admission.approve").actor_label == "gate:recommendation"


def test_low_standing_voucher_is_declined(group):
    gate(group, "recommendation", min_standing=90)
    voucher = add_member(group, "新人", joined=T0 - timedelta(days=5)).person
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0)
    assert admission.status == AdmissionStatus.REJECTED
    assert admission.standing["can_vouch"] is False
    assert admission.standing["active_strikes"] == 0


def test_recommendation_needs_a_voucher_of_this_community(group, other_community,
                                                          system_actor):
    gate(group, "recommendation")
    stranger = add_member(make_group(system_actor, other_community, key="run"), "外人").person
    before = row_counts()
    for voucher in (None, stranger):
        with pytest.raises(GovernanceError, match="member of this community"):
            gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                            now=T0)
    assert row_counts() == before


def test_very_active_voucher_can_vouch(group):
    """A member who spoke every single day of the last 90 is the best voucher there is;
    the standing window must not count 91 days and fail."""
    gate(group, "recommendation")
    voucher = add_member(group, "话痨", joined=T0 - timedelta(days=300)).person
    for day in range(0, 91):
        post(group, voucher, "早上好", T0 + timedelta(hours=12) - timedelta(days=day))
    admission = gates.do_submit(JOINER, group, "recommendation", name="小李", voucher=voucher,
                                now=T0 + timedelta(hours=12))
    assert admission.status == AdmissionStatus.PENDING
    assert admission.standing["can_vouch"] is True


# ---------------------------------------------------------------- onboarding 入群规则

def test_approved_joiner_gets_add_welcome_and_self_introduction_once(community, group,
                                                                     reviewer):
    gate(group, "application")
    admission = gates.do_submit(JOINER, group, "application", name="小李", answers=ANSWERS,
                                now=T0)
    gates.do_approve(reviewer, admission, "ok", now=T0)
    admission.refresh_from_db()
    actions = list(OutboxAction.objects.filter(community=community).order_by("id"))
    assert [(a.kind, a.key) for a in actions] == [
        ("add", f"admission:{admission.pk}:add"),
        ("post", f"admission:{admission.pk}:welcome"),
        ("post", f"admission:{admission.pk}:intro")]
    add, welcome, intro = actions
    assert all(a.group == group and a.target == admission.person for a in actions)
    assert all(a.status == "pending" and a.source == "onboarding" for a in actions)
    assert "小李" in add.text and "1群" in add.text
    assert "小李" in welcome.text and "1群" in welcome.text
    assert "{" not in welcome.text
    assert intro.text.startswith("【自我介绍】")  # the community's default kit is Chinese
    assert "城市" in intro.text
    entry = AuditEntry.objects.get(verb="outbox.enqueue")
    assert sorted(entry.after["ids"]) == sorted(a.pk for a in actions)

    # a second approval is refused; queuing the same steps again adds nothing
    with pytest.raises(GovernanceError, match="already approved"):
        gates.do_approve(reviewer, admission)
    again = enqueue(reviewer, community, gates.onboarding_steps(admission, admission.person),
                    source="onboarding")
    assert again == []
    assert OutboxAction.objects.count() == 3
    assert AuditEntry.objects.filter(verb="outbox.enqueue").count() == 1


def test_edited_welcome_is_rendered_with_the_name(community, group, reviewer):
    kit = gates.kit(community)
    gates.do_update_kit(reviewer, kit, welcome="Hi {name}, welcome to {group} of {community}!",
                        announcement_intro="", icebreaker_fields=["name", "fun_fact"])
    assert AuditEntry.objects.filter(verb="onboarding.update").count() == 1
    gate(group, "invitation")
    invite = gates.do_create_invite(reviewer, community, group=group)
    admission = gates.do_submit(JOINER, group, "invitation", name="Mia", invite=invite, now=T0)
    welcome = OutboxAction.objects.get(key=f"admission:{admission.pk}:welcome")
    assert welcome.text == "Hi Mia, welcome to 1群 of 读书会!"
    intro = OutboxAction.objects.get(key=f"admission:{admission.pk}:intro")
    assert intro.text.splitlines() == ["【自我介绍】", "昵称：", "关于我的一件趣事："]


def test_kit_with_an_unknown_placeholder_is_refused(community, reviewer):
    kit = gates.kit(community)
    before = row_counts()
    with pytest.raises(GovernanceError, match="nickname"):
        gates.do_update_kit(reviewer, kit, welcome="Hi {nickname}", announcement_intro="",
                            icebreaker_fields=["name"])
    with pytest.raises(GovernanceError, match="horoscope"):
        gates.do_update_kit(reviewer, kit, welcome="Hi {name}", announcement_intro="",
                            icebreaker_fields=["name", "horoscope"])
    assert row_counts() == before


def test_nothing_is_queued_before_approval(group, reviewer):
    gate(group, "paid", fee_cents=100)
    gate(group, "application")
    gates.do_submit(JOINER, group, "paid", name="小李", now=T0)
    gates.do_submit(JOINER, group, "application", name="小王", answers=ANSWERS, now=T0)
    assert not OutboxAction.objects.exists()
    assert not Payment.objects.exists()
