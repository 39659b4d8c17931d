"""SMTP: STARTTLS, implicit TLS or plain, optional login; multipart text + HTML.

Headers are built with `email.message.EmailMessage` under the SMTP policy, which refuses CR/LF in
header values. The Subject is folded by `subject.FoldedSubject`, not by the policy, whose folding
loses spaces between encoded words and decodes titles that look like encoded words.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formatdate
from typing import TYPE_CHECKING

from monitor.alerts.channels.base import DeliveryResult, RenderedAlert, register_channel
from monitor.alerts.channels.subject import safe_subject
from monitor.alerts.settings import EmailChannelSettings
from monitor.errors import DeliveryError

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12


def build_email(alert: RenderedAlert, settings: EmailChannelSettings) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = settings.from_addr
    msg["To"] = ", ".join(settings.to)
    msg["Subject"] = safe_subject(alert.subject)
    msg["Message-ID"] = alert.message_id
    msg["Date"] = format_datetime(alert.date, usegmt=True) if alert.date else formatdate(usegmt=True)
    if alert.in_reply_to:
        msg["In-Reply-To"] = alert.in_reply_to
    if alert.references:
        msg["References"] = " ".join(alert.references)
    msg.set_content(alert.text, subtype="plain", charset="utf-8")
    msg.add_alternative(alert.html, subtype="html", charset="utf-8")
    return msg


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
            return _SMTPSSL(s.host, s.effective_port, timeout=s.timeout, context=self._tls())
        smtp = _SMTP(s.host, s.effective_port, timeout=s.timeout)
        if s.security == "starttls":
            try:
                smtp.starttls(context=self._tls())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _tls(self) -> ssl.SSLContext:
        ca_file = self.settings.ca_file
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def _login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        if s.username:
            smtp.login(s.username, s.password.get_secret_value() if s.password else "")

    def close(self) -> None:
        """Nothing held open: one SMTP session per message keeps a stuck server from pinning us."""


class _SMTP(smtplib.SMTP):
    """Keeps the server's answer to DATA ("250 OK queued as ..."), which smtplib discards."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)
        return self.data_reply


class _SMTPSSL(_SMTP, smtplib.SMTP_SSL):
    """The same over TLS from the first byte (port 465)."""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
