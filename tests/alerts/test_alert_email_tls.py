"""SMTP with STARTTLS + login and with implicit TLS, against aiosmtpd with a throwaway certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.alerts.channels import RenderedAlert, build_channels
from monitor.alerts.settings import EmailChannelSettings
from monitor.errors import DeliveryError
from tests.alerts.servers import SmtpServer

ALERT = RenderedAlert(message_id="<story-9.w.c.0@news-monitor>", subject="Über TLS", text="text",
                      html="<p>h</p>", payload={})


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a throwaway certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"monitor", b"pw-123")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def starttls_smtp(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(tls_context=server_context(certificate), require_starttls=True,
                        auth_required=True, authenticator=authenticate)
    server.start()
    yield server
    server.stop()


def settings(port: int, security: str, cert: Path, **extra: Any) -> EmailChannelSettings:
    return EmailChannelSettings(host="127.0.0.1", port=port, security=security,  # type: ignore[arg-type]
                                from_addr="monitor@example.org", to=["ops@example.org"], timeout=5,
                                ca_file=cert, **extra)


def test_starttls_with_login(starttls_smtp: SmtpServer, certificate: tuple[Path, Path]) -> None:
    channel = build_channels({"mail": settings(starttls_smtp.port, "starttls", certificate[0],
                                               username="monitor", password="pw-123")})["mail"]
    assert channel.send(ALERT).detail.startswith("250")
    [message] = starttls_smtp.recorder.messages
    assert message["Message-ID"] == ALERT.message_id and str(message["Subject"]) == "Über TLS"


def test_wrong_password_fails_for_good(starttls_smtp: SmtpServer, certificate: tuple[Path, Path]) -> None:
    channel = build_channels({"mail": settings(starttls_smtp.port, "starttls", certificate[0],
                                               username="monitor", password="wrong")})["mail"]
    with pytest.raises(DeliveryError) as caught:
        channel.send(ALERT)
    assert not caught.value.retryable and "535" in caught.value.reason
    assert "wrong" not in str(caught.value)


def test_an_untrusted_certificate_is_refused(starttls_smtp: SmtpServer, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=other", "-keyout", str(tmp_path / "k.pem"), "-out", str(other)],
                   check=True, capture_output=True)
    channel = build_channels({"mail": settings(starttls_smtp.port, "starttls", other,
                                               username="monitor", password="pw-123")})["mail"]
    with pytest.raises(DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        channel.send(ALERT)
    assert not starttls_smtp.recorder.messages


def test_implicit_tls(certificate: tuple[Path, Path]) -> None:
    server = SmtpServer(ssl_context=server_context(certificate))
    server.start()
    try:
        channel = build_channels({"mail": settings(server.port, "tls", certificate[0])})["mail"]
        channel.send(ALERT)
        assert server.recorder.message_ids() == [ALERT.message_id]
    finally:
        server.stop()
