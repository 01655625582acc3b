"""Notifications: an outbox row written in the sender's transaction, delivered by a job.

`notify()` adds the row and asks for `deliver` after commit; a periodic sweep re-sends what
was not delivered (Redis keeps nothing on disk, so a lost job must not lose the message).
Delivery makes the message visible in the user's inbox (the bell on every page) and hands it
to each channel: email over SMTP when `SMTP_HOST` is set, the log otherwise. Packages may
register more channels with `register_channel`.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

from flask import Flask, current_app
from flask_babel import force_locale
from sqlmodel import func, select

from shop.core import db, jobs
from shop.core.jobs import job
from shop.core.models import Notification, User

log = logging.getLogger(__name__)
DELIVER_JOB = "shop.core.notifications.deliver"
_CHANNELS = "shop.notification_channels"
Channel = Callable[[User, Notification], None]
Compose = Callable[[], tuple[str, str]]


def notify(
    user_id: int, kind: str, compose: Compose, *, link: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """Queue a message for `user_id`; `compose()` runs in the user's language.

    Returns None when a message with the same `dedupe_key` already exists.
    """
    user = db.session().get(User, user_id)
    if user is None:
        return None
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, body = compose()
    row = Notification(
        user_id=user_id,
        kind=kind,
        subject=str(subject)[:200],
        body=str(body)[:1000],
        link=link,
        dedupe_key=dedupe_key,
    )
    if not db.add_once(row):  # the same news (dedupe key) is queued already
        return None
    jobs.enqueue_after_commit(DELIVER_JOB, row.id)
    return row


def register_channel(app: Flask, name: str, channel: Channel) -> None:
    """Add a delivery channel (called with the user and the message, after the inbox)."""
    app.extensions.setdefault(_CHANNELS, {})[name] = channel


def _email(user: User, note: Notification) -> None:
    cfg = current_app.config
    message = EmailMessage()
    message["From"], message["To"] = cfg["SMTP_FROM"], user.email
    message["Subject"] = note.subject
    message.set_content(f"{note.body}\n\n{note.link}".strip())
    with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=10) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def _log(user: User, note: Notification) -> None:
    log.info("notification %s to user %s: %s", note.kind, user.id, note.subject)


@job
def deliver(notification_id: int) -> list[str]:
    """Deliver one message to the inbox and the channels (idempotent: once delivered, done).

    A channel that raises makes the job fail and retry; the inbox already holds the message.
    """
    s = db.session()
    note = s.get(Notification, notification_id, with_for_update=True)
    if note is None or note.delivered_at is not None:
        return []
    user = s.get(User, note.user_id)
    channels = {"email": _email} if current_app.config["SMTP_HOST"] else {"log": _log}
    channels.update(current_app.extensions.get(_CHANNELS, {}))
    for channel in channels.values():
        channel(user, note)
    note.delivered_at, note.channels = db.utcnow(), sorted(channels)
    return note.channels


@job
def sweep_undelivered() -> int:
    """Re-send messages left undelivered for over a minute (their job was lost)."""
    cutoff = db.utcnow() - timedelta(minutes=1)
    ids = db.session().exec(
        select(Notification.id)
        .where(Notification.delivered_at.is_(None), Notification.created_at < cutoff)
        .limit(500)
    )
    return jobs.enqueue_each(DELIVER_JOB, ids)


def inbox(user_id: int, *, limit: int = 50) -> list[Notification]:
    """The user's delivered messages, newest first."""
    return list(
        db.session().exec(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.delivered_at.is_not(None))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    """How many delivered messages the user has not read (the number on the bell)."""
    return (
        db.session()
        .exec(
            select(func.count()).where(
                Notification.user_id == user_id,
                Notification.delivered_at.is_not(None),
                Notification.read_at.is_(None),
            )
        )
        .one()
    )


def mark_read(user_id: int) -> int:
    """Mark all the user's delivered messages read; returns how many changed."""
    rows = (
        db.session()
        .exec(
            select(Notification).where(
                Notification.user_id == user_id,
                Notification.delivered_at.is_not(None),
                Notification.read_at.is_(None),
            )
        )
        .all()
    )
    now = db.utcnow()
    for row in rows:
        row.read_at = now
    db.session().flush()
    return len(rows)


def init_app(app: Flask) -> None:
    """Sweep for lost deliveries every minute."""
    jobs.register_periodic(app, "shop.core.notifications.sweep_undelivered", 60)
