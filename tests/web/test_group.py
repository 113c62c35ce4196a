from __future__ import annotations

from django.urls import reverse


def test_timeline_is_paged_newest_first(operator_client, community, chat):
    url = reverse("console:group", args=[community.slug, chat.pk])
    page1 = operator_client.get(url)
    messages = list(page1.context["page"])
    assert len(messages) == 50
    assert messages[0].text == "改个名字"
    assert page1.context["page"].paginator.num_pages == 3
    page3 = operator_client.get(url, {"page": 3})
    assert len(list(page3.context["page"])) == 21


def test_search_finds_the_message(operator_client, community, chat):
    url = reverse("console:group", args=[community.slug, chat.pk])
    response = operator_client.get(url, {"q": "三体"})
    texts = [m.text for m in response.context["page"]]
    assert texts == ["今天读完了《三体》"]


def test_htmx_search_returns_only_the_timeline(operator_client, community, chat):
    url = reverse("console:group", args=[community.slug, chat.pk])
    response = operator_client.get(url, {"q": "三体"}, HTTP_HX_REQUEST="true",
                                   HTTP_HX_TARGET="timeline")
    body = response.content.decode()
    assert "今天读完了《三体》" in body
    assert "<html" not in body


def test_search_with_no_match_says_so(operator_client, community, chat):
    url = reverse("console:group", args=[community.slug, chat.pk])
    body = operator_client.get(url, {"q": "红楼梦"}).content.decode()
    assert "没有包含" in body


def test_members_tab_lists_people_with_counts(operator_client, community, chat):
    url = reverse("console:group-members", args=[community.slug, chat.pk])
    rows = list(operator_client.get(url).context["page"])
    assert {m.person.display_name for m in rows} == {"阿明", "小红", "王老师"}
    assert sum(m.message_count for m in rows) == 121
