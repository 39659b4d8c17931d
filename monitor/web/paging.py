"""Page numbers and sizes from the query string (`?page=2&per_page=20`), forgiving of junk."""

from __future__ import annotations

from starlette.requests import Request

MAX_PER_PAGE = 500


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def per_page(request: Request, default: int) -> int:
    raw = request.query_params.get("per_page", "")
    return min(int(raw), MAX_PER_PAGE) if raw.isdigit() and int(raw) > 0 else default


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))
