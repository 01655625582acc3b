"""Notifications: an outbox row in the sender's transaction, delivered by a job to the inbox
(the bell) and a channel (SMTP when configured, the log otherwise)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from shop.core import db, notifications
from shop.core.models import Notification
from tests.conftest import web_login


def send(app, user_id, subject="订单已送达", commit=True, **kwargs):
    with app.app_context(), db.session_scope() as s:
        notifications.notify(user_id, "test", lambda: (subject, "正文"), **kwargs)
        if commit:
            s.commit()
        else:
            s.rollback()


def rows(app):
    with app.app_context(), db.session_scope(write=False) as s:
        return s.exec(select(Notification).order_by(Notification.id)).all()


def test_a_rolled_back_message_is_never_sent(app, make_user, caplog):
    user = make_user("resident")
    with caplog.at_level(logging.INFO, logger="shop.core.notifications"):
        send(app, user, commit=False)
    assert rows(app) == []
    assert "notification" not in caplog.text


def test_a_committed_message_reaches_the_inbox_and_the_log(app, make_user, caplog):
    user = make_user("resident")
    with caplog.at_level(logging.INFO, logger="shop.core.notifications"):
        send(app, user)
    [row] = rows(app)
    assert row.delivered_at is not None and row.channels == ["log"]
    assert "订单已送达" in caplog.text


def test_with_smtp_configured_the_message_is_emailed(app_factory, make_user, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"]))

    monkeypatch.setattr(notifications.smtplib, "SMTP", FakeSMTP)
    app = app_factory(SMTP_HOST="smtp.example.test", SMTP_USER="bot")
    with app.app_context(), db.session_scope() as s:
        from shop.core import accounts

        user = accounts.create_user(
            email="mail@test.local",
            password="correct horse 42",
            display_name="住户",
            roles=["resident"],
        )
        s.commit()
    send(app, user.id, subject="您的订单")
    assert sent == [
        ("connect", "smtp.example.test", 587),
        ("starttls",),
        ("login", "bot"),
        ("send", "mail@test.local", "您的订单"),
    ]
    assert rows(app)[0].channels == ["email"]


def test_the_same_news_is_queued_once(app, make_user):
    user = make_user("resident")
    send(app, user, dedupe_key="warn-node-1-user-1")
    send(app, user, dedupe_key="warn-node-1-user-1")
    assert len(rows(app)) == 1


def test_the_sweep_resends_a_message_whose_job_was_lost(app, make_user, monkeypatch):
    user = make_user("resident")
    monkeypatch.setattr(notifications.jobs, "enqueue_after_commit", lambda *a, **k: None)
    send(app, user)
    assert rows(app)[0].delivered_at is None
    monkeypatch.undo()
    with app.app_context():
        assert notifications.sweep_undelivered() == 0  # too fresh to be called lost
    later = db.utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(db, "utcnow", lambda: later)
    with app.app_context():
        assert notifications.sweep_undelivered() == 1
    assert rows(app)[0].delivered_at is not None


def test_the_bell_counts_unread_messages_and_the_inbox_clears_it(app, client, make_user):
    user = make_user("resident", email="bell@test.local")
    other = make_user("resident", email="other@test.local")
    send(app, user, subject="第一条")
    send(app, user, subject="第二条")
    send(app, other, subject="别人的消息")
    web_login(client, "bell@test.local")
    page = client.get("/inbox").get_data(as_text=True)
    assert 'class="badge">2<' in page
    assert "第一条" in page and "第二条" in page and "别人的消息" not in page
    token = page.split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
    client.post("/inbox", data={"csrf_token": token})
    assert 'class="badge"' not in client.get("/inbox").get_data(as_text=True)


def test_the_api_shows_only_my_messages(app, client, make_user, headers):
    user = make_user("resident", email="api@test.local")
    other = make_user("resident", email="else@test.local")
    send(app, user, subject="我的")
    send(app, other, subject="他的")
    mine = client.get("/api/v1/me/notifications", headers=headers("api@test.local")).get_json()
    assert [n["subject"] for n in mine["items"]] == ["我的"] and mine["unread"] == 1
    read = client.post("/api/v1/me/notifications/read", headers=headers("api@test.local"))
    assert read.get_json()["unread"] == 0
    theirs = client.get("/api/v1/me/notifications", headers=headers("else@test.local")).get_json()
    assert theirs["unread"] == 1
