from __future__ import annotations

from django.urls import reverse


def test_console_requires_login(client, community):
    response = client.get(reverse("console:overview", args=[community.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_with_password_lands_on_overview(client, operator, community):
    response = client.post(reverse("login"), {"username": "alice",
                                              "password": "s3cret-pass-word"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:overview", args=["books"])
    assert community.name in response.content.decode()


def test_wrong_password_says_so(client, operator):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "不匹配" in response.content.decode()


def test_language_switch_to_english_and_traditional(operator_client, community):
    url = reverse("console:overview", args=[community.slug])
    operator_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Groups" in operator_client.get(url).content.decode()
    operator_client.post(reverse("set_language"), {"language": "zh-hant", "next": url})
    body = operator_client.get(url).content.decode()
    main = body.split("<main>")[1].split("</main>")[0]
    assert "訊息" in main and "消息" not in main


def test_operator_without_communities_is_told_so(client, db, system_actor):
    from qunzhu.community.actions import do_create_operator

    user = do_create_operator(system_actor, username="new", password="pw-long-enough")
    client.force_login(user)
    response = client.get(reverse("console:home"))
    assert "还没有社群" in response.content.decode()
