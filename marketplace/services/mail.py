"""Outgoing e-mail with pluggable backends: console+outbox (development), memory (tests), SMTP.

Call `send_mail` with the rendered text; `render_mail` renders a template pair in the
recipient's language.
"""
from __future__ import annotations

import logging
import smtplib
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale

logger = logging.getLogger(__name__)


@dataclass
class OutgoingMail:
    to: str
    subject: str
    body: str
    sender: str
    headers: dict[str, str] = field(default_factory=dict)
    delivered: bool = False

    def as_message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Message-ID"] = make_msgid(domain="pasarlokalblitar.id")
        for name, value in self.headers.items():
            message[name] = value
        message.set_content(self.body)
        return message


def outbox(app: Flask) -> list[OutgoingMail]:
    """Mails sent with the memory backend (tests read them here)."""
    return app.extensions.setdefault("mail_outbox", [])


def _deliver_console(app: Flask, mail: OutgoingMail) -> None:
    message = mail.as_message()
    print(f"\n----- e-mail -----\n{message.as_string()}\n------------------", file=sys.stderr)
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    (folder / f"{stamp}.eml").write_text(message.as_string(), encoding="utf-8")


def _deliver_smtp(app: Flask, mail: OutgoingMail) -> None:
    config = app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail.as_message())


_BACKENDS = {
    "console": _deliver_console,
    "memory": lambda app, mail: outbox(app).append(mail),
    "smtp": _deliver_smtp,
}


def send_mail(to: str, subject: str, body: str, app: Flask | None = None) -> OutgoingMail:
    """Send one plain-text e-mail through the configured backend.

    A mail server that is down or refuses the message is logged, never raised: the order,
    approval or reset that triggered the mail is already committed and must not turn into an
    error page. `delivered` on the result says whether the backend took the mail.
    """
    app = app or current_app._get_current_object()
    mail = OutgoingMail(to=to, subject=subject, body=body, sender=app.config["MAIL_DEFAULT_SENDER"])
    try:
        _BACKENDS[app.config["MAIL_BACKEND"]](app, mail)
    except (OSError, smtplib.SMTPException):
        logger.exception("mail not delivered", extra={"mail_subject": subject, "mail_domain": to.rpartition("@")[2]})
        return mail
    mail.delivered = True
    return mail


def render_mail(template: str, language: str, **context) -> tuple[str, str]:
    """Render `templates/mail/<template>.txt` in `language`; its first line is the subject."""
    with force_locale(language or "id"):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"
