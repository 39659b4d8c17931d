"""Signing in with the console's token (a session cookie for the forms) and out again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from monitor.web.auth import end_session, start_session, token_matches
from monitor.web.gate import field, form_action, local_path
from monitor.web.views import console, views


async def login_page(request: Request) -> Response:
    target = local_path(request.query_params.get("next"), "/")
    return views(request).render(request, "login.html.j2", {"next": target, "problem": None})


async def login(request: Request) -> Response:
    web = console(request).settings.web
    form = await request.form()
    target = local_path(field(form, "next"), "/")
    if web.token is None:
        problem = "this console has no token configured, so nothing can be changed from it"
    elif not token_matches(web, field(form, "token")):
        problem = "that is not the console's token"
    else:
        response = RedirectResponse(target, status_code=303)
        start_session(response, web, secure=request.url.scheme == "https")
        return response
    return views(request).render(request, "login.html.j2", {"next": target, "problem": problem}, status=403)


async def logout(request: Request) -> Response:
    form = await form_action(request)
    if isinstance(form, Response):
        return form
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
