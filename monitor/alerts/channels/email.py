"""SMTP: STARTTLS, implicit TLS or plain, optional login; multipart text + HTML.

Headers are built with `email.message.EmailMessage` under the SMTP policy, which refuses CR/LF in
header values; the subject is additionally forced into an encoded word when it contains `=?`, so a
feed title that imitates an encoded word reaches the reader as the literal text it was.
"""

from __future__ import annotations

import smtplib
import ssl
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from monitor.alerts.channels.base import DeliveryResult, RenderedAlert, register_channel
from monitor.alerts.settings import EmailChannelSettings
from monitor.errors import DeliveryError

_MAX_SUBJECT = 200


def build_email(alert: RenderedAlert, settings: EmailChannelSettings) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = settings.from_addr
    msg["To"] = ", ".join(settings.to)
    msg["Subject"] = safe_subject(alert.subject)
    msg["Message-ID"] = alert.message_id
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    if alert.in_reply_to:
        msg["In-Reply-To"] = alert.in_reply_to
    if alert.references:
        msg["References"] = " ".join(alert.references)
    msg.set_content(alert.text, subtype="plain", charset="utf-8")
    msg.add_alternative(alert.html, subtype="html", charset="utf-8")
    return msg


def safe_subject(subject: str) -> str:
    """One line, no control characters; `=?` only ever inside our own encoded word."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in subject).split())[:_MAX_SUBJECT]
    if "=?" in flat:
        return Header(flat, "utf-8").encode(maxlinelen=10_000)
    return flat


@register_channel("email")
class EmailChannel:
    def __init__(self, name: str, settings: EmailChannelSettings) -> None:
        self.name, self.settings = name, settings

    def send(self, alert: RenderedAlert) -> DeliveryResult:
        msg = build_email(alert, self.settings)
        try:
            with self._connect() as smtp:
                self._login(smtp)
                refused = smtp.send_message(msg)
                code, answer = smtp.data_reply
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(self.name, f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                                retryable=exc.smtp_code < 500) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(self.name, f"recipients refused: {exc.recipients}",
                                retryable=all(400 <= c < 500 for c in codes)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(self.name, f"SMTP {type(exc).__name__}: {exc}") from exc
        if refused:
            # Some recipients took it; a retry would duplicate it for them, so report and stop.
            raise DeliveryError(self.name, f"some recipients refused: {refused}", retryable=False)
        return DeliveryResult(self.name, alert.message_id, f"{code} {_text(answer)}")

    def _connect(self) -> _SMTP | _SMTPSSL:
        s = self.settings
        if s.security == "tls":
            return _SMTPSSL(s.host, s.effective_port, timeout=s.timeout, context=ssl.create_default_context())
        smtp = _SMTP(s.host, s.effective_port, timeout=s.timeout)
        if s.security == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        if s.username:
            smtp.login(s.username, s.password.get_secret_value() if s.password else "")

    def close(self) -> None:
        """Nothing held open: one SMTP session per message keeps a stuck server from pinning us."""


class _KeepDataReply:
    """Keeps the server's answer to DATA ("250 OK queued as ..."), which smtplib discards."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)  # type: ignore[misc]
        return self.data_reply


class _SMTP(_KeepDataReply, smtplib.SMTP):
    pass


class _SMTPSSL(_KeepDataReply, smtplib.SMTP_SSL):
    pass


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
