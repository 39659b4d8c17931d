"""Real local servers for the alert tests: an SMTP server (aiosmtpd) and a webhook receiver.

Both record what they accepted; both can be told to misbehave (refuse, answer 4xx/5xx, hang).
"""

from __future__ import annotations

import asyncio
import email
import hashlib
import hmac
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpRecorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.reply: str | None = None  # e.g. "451 4.3.0 try later" to refuse DATA
        self.delay = 0.0  # seconds before answering DATA: a slow server
        self.on_message: Callable[[], Any] | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply:
            return self.reply
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.raw.append(envelope.content)
            self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        if self.on_message:
            self.on_message()
        return "250 OK queued as test"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, **options: Any) -> None:
        self.port = free_port()
        self.recorder = SmtpRecorder()
        self.options = options  # passed to aiosmtpd: tls_context, require_starttls, ssl_context, ...
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class WebhookRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    released: bool = False  # whether `release` had been set when the answer went out


@dataclass
class WebhookReceiver:
    """Answers with scripted behaviours ("500", "400", "hang", ...), then 200 when the script is used up."""

    script: deque[str] = field(default_factory=deque)
    requests: list[WebhookRequest] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    delay: float = 0.0  # seconds before answering: a slow receiver

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def accepted(self) -> list[WebhookRequest]:
        with self.lock:
            return [r for r in self.requests if r.status == 200]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing was delivered
                    with receiver.lock:
                        receiver.requests.append(WebhookRequest(self.path, dict(self.headers), body, 0))
                    return
                with receiver.lock:
                    action = receiver.script.popleft() if receiver.script else "200"
                if receiver.delay:
                    receiver.release.wait(receiver.delay)
                if action == "hang":  # longer than the client's timeout; released at teardown
                    receiver.release.wait(5)
                    action = "504"
                status_text, _, retry_after = action.partition("+")  # "429+600": Retry-After: 600
                status = int(status_text)
                with receiver.lock:
                    receiver.requests.append(WebhookRequest(self.path, dict(self.headers), body, status,
                                                            receiver.release.is_set()))
                try:
                    self.send_response(status)
                    if retry_after:
                        self.send_header("Retry-After", retry_after)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        serve = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                 daemon=True)
        serve.start()

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def valid_signature(request: WebhookRequest, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("X-Monitor-Signature", ""), expected)
