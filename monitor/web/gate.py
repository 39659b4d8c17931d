"""The gate in front of every state change: forms need a signed-in session and a valid CSRF token,
API calls the token itself. Without a configured token nothing changes, from either side."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from monitor.web.auth import CSRF_FIELD, CSRF_HEADER, bearer_token, csrf_valid, session_id, token_matches
from monitor.web.views import console

NO_TOKEN = "changes are switched off: set [web] token in the config (token = \"${MONITOR_WEB_TOKEN}\")"


async def form_action(request: Request) -> FormData | Response:
    """The submitted form when this browser may change things; else the refusal to send back."""
    web = console(request).settings.web
    if web.token is None:
        return PlainTextResponse(NO_TOKEN + "\n", status_code=403)
    if session_id(request, web) is None:
        return PlainTextResponse("sign in with the console's token first (/login)\n", status_code=403)
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not csrf_valid(request, web, given if isinstance(given, str) else request.headers.get(CSRF_HEADER)):
        return PlainTextResponse("the form's CSRF token is missing or stale: reload the page and try again\n",
                                 status_code=403)
    return form


def api_refusal(request: Request) -> Response | None:
    """None when the API call carries the token; else the 401/403 answer."""
    web = console(request).settings.web
    if web.token is None:
        return JSONResponse({"error": NO_TOKEN}, status_code=403)
    if not token_matches(web, bearer_token(request)):
        return JSONResponse({"error": "this call changes state: send Authorization: Bearer TOKEN"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return None


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def local_path(value: str | None, default: str) -> str:
    """A path on this console to go back to (never another site: `//host` and `https://` are refused)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
