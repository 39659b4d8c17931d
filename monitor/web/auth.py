"""Who may change things: the `[web] token`, a signed session cookie for browsers, CSRF tokens for forms.

- The API takes the token itself: `Authorization: Bearer TOKEN`.
- A browser signs in once with the token (`/login`) and gets an HttpOnly, SameSite=Strict cookie
  holding a random session id signed with the token; every form carries a CSRF token derived from
  that session, checked on each POST. Changing the token signs every browser out.
Without a token configured nothing can be changed, from any side.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.responses import Response

    from monitor.web.settings import WebSettings

SESSION_COOKIE = "monitor_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 7 * 86400


def _sign(token: str, purpose: str, value: str) -> str:
    return hmac.new(token.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_matches(settings: WebSettings, given: str | None) -> bool:
    token = settings.token_value
    return token is not None and given is not None and hmac.compare_digest(token.encode(), given.encode())


def bearer_token(conn: HTTPConnection) -> str | None:
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def session_id(conn: HTTPConnection, settings: WebSettings) -> str | None:
    """The signed-in browser's session id, or None (no cookie, a forged one, or no token configured)."""
    token = settings.token_value
    raw = conn.cookies.get(SESSION_COOKIE, "")
    sid, _, signature = raw.partition(".")
    if token is None or not sid or not hmac.compare_digest(signature, _sign(token, "session", sid)):
        return None
    return sid


def authenticated(conn: HTTPConnection, settings: WebSettings) -> bool:
    """Signed in with the cookie, or the request carries the token."""
    return session_id(conn, settings) is not None or token_matches(settings, bearer_token(conn))


def csrf_token(conn: HTTPConnection, settings: WebSettings) -> str:
    """The token forms must send back; empty when not signed in."""
    token, sid = settings.token_value, session_id(conn, settings)
    return _sign(token, "csrf", sid) if token and sid else ""


def csrf_valid(conn: HTTPConnection, settings: WebSettings, given: str | None) -> bool:
    expected = csrf_token(conn, settings)
    return bool(expected) and given is not None and hmac.compare_digest(expected, given)


def start_session(response: Response, settings: WebSettings, *, secure: bool) -> None:
    token = settings.token_value
    if token is None:
        raise ValueError("no token configured")
    sid = secrets.token_urlsafe(18)
    response.set_cookie(SESSION_COOKIE, f"{sid}.{_sign(token, 'session', sid)}", max_age=SESSION_SECONDS,
                        httponly=True, samesite="strict", secure=secure, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
