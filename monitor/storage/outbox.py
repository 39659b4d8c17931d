"""The outbox: one row per (story, watchlist, channel, update_seq), the state of every alert.

pending -> sending (claimed with a lease) -> sent | failed; a retry puts a row back to pending with
a later `next_attempt_at`. A `sending` row whose lease has expired belongs to a sender that died:
it is claimable again, and a resend carries the same stable `message_id`.
Claims are single guarded UPDATEs (the due condition is re-checked atomically), so two senders
never own the same row; on PostgreSQL the candidate SELECT also skips rows locked by others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import Alert, AlertPayload, HitSummary, StoryOutline
from monitor.storage import stories as story_repository
from monitor.storage.tables import outbox


def payload_to_json(payload: AlertPayload) -> dict[str, Any]:
    return {
        "score": payload.score, "why": payload.why,
        "hits": [{"term": h.term, "field": h.field, "snippet": h.snippet} for h in payload.hits],
        "languages": list(payload.languages), "sources": list(payload.sources),
        "new_languages": list(payload.new_languages), "new_sources": list(payload.new_sources),
    }


def alert_to_json(alert: Alert) -> dict[str, Any]:
    """What `monitor alerts list --json` prints and the web API returns for one alert."""
    return {"id": alert.id, "state": alert.state, "channel": alert.channel, "watchlist": alert.watchlist,
            "story_id": alert.story_id, "update_seq": alert.update_seq, "kind": alert.kind,
            "attempts": alert.attempts, "created_at": alert.created_at.isoformat(),
            "next_attempt_at": alert.next_attempt_at.isoformat(),
            "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
            "message_id": alert.message_id, "last_error": alert.last_error}


def payload_from_json(data: Mapping[str, Any] | None) -> AlertPayload:
    """The stored document back as a value; rows planned by older releases lack some keys."""
    data = data or {}
    return AlertPayload(
        score=float(data.get("score", 0.0)), why=str(data.get("why", "matched")),
        hits=tuple(HitSummary(str(h.get("term", "")), str(h.get("field", "")), str(h.get("snippet", "")))
                   for h in data.get("hits", ())),
        languages=tuple(data.get("languages", ())), sources=tuple(data.get("sources", ())),
        new_languages=tuple(data.get("new_languages", ())), new_sources=tuple(data.get("new_sources", ())),
    )


def _row(r: Any) -> Alert:
    fields = {name: getattr(r, name) for name in Alert.__dataclass_fields__ if name != "payload"}
    return Alert(**fields, payload=payload_from_json(r.payload))


def insert_ignore(conn: Connection, values: dict[str, Any], payload: AlertPayload) -> bool:
    """Insert unless (story, watchlist, channel, update_seq) exists; True if a row was added."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    stmt = dialect.insert(outbox).values(**values, payload=payload_to_json(payload)).on_conflict_do_nothing(
        index_elements=["story_id", "watchlist", "channel", "update_seq"]).returning(outbox.c.id)
    return conn.execute(stmt).first() is not None  # rowcount is -1 with RETURNING on psycopg


def latest_for(conn: Connection, story_id: int, watchlist: str, channel: str) -> Alert | None:
    r = conn.execute(select(outbox).where(
        outbox.c.story_id == story_id, outbox.c.watchlist == watchlist, outbox.c.channel == channel,
    ).order_by(outbox.c.update_seq.desc()).limit(1)).first()
    return _row(r) if r else None


def set_payload(conn: Connection, row_id: int, payload: AlertPayload) -> None:
    conn.execute(update(outbox).where(outbox.c.id == row_id).values(payload=payload_to_json(payload)))


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(outbox.c.state == "pending", outbox.c.next_attempt_at <= now),
        and_(outbox.c.state == "sending", outbox.c.lease_expires_at <= now),
    )


def retry_blocks(conn: Connection, channel: str, now: datetime) -> datetime | None:
    """When an earlier alert of `channel` waits for its retry, later ones wait too (order)."""
    until: datetime | None = conn.scalar(select(func.min(outbox.c.next_attempt_at)).where(
        outbox.c.channel == channel, outbox.c.state == "pending", outbox.c.attempts > 0,
        outbox.c.last_error.is_not(None), outbox.c.next_attempt_at > now))
    return until


def claim(conn: Connection, channel: str, *, kind: str, now: datetime, owner: str,
          lease_until: datetime, limit: int | None) -> list[Alert]:
    """Claim due rows of one channel and kind, oldest first."""
    query = select(outbox.c.id).where(outbox.c.channel == channel, outbox.c.kind == kind, _due(now))
    query = query.order_by(outbox.c.created_at, outbox.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(conn.scalars(query))
    if not ids:
        return []
    conn.execute(update(outbox).where(outbox.c.id.in_(ids), _due(now)).values(
        state="sending", lease_owner=owner, lease_expires_at=lease_until))
    rows = conn.execute(select(outbox).where(
        outbox.c.id.in_(ids), outbox.c.state == "sending", outbox.c.lease_owner == owner,
        outbox.c.lease_expires_at == lease_until).order_by(outbox.c.created_at, outbox.c.id))
    return [_row(r) for r in rows]


def _owned(ids: Sequence[int], owner: str) -> ColumnElement[bool]:
    return and_(outbox.c.id.in_(list(ids)), outbox.c.state == "sending", outbox.c.lease_owner == owner)


def mark_sent(conn: Connection, ids: Sequence[int], owner: str, now: datetime, *,
              payloads: Mapping[int, AlertPayload] | None = None) -> None:
    """Record a send; `payloads` replaces the recorded payload of some rows (what was shown).

    Two statements however many rows: the update returns the rows this owner held, and their
    payloads are written in one executemany.
    """
    owned = set(conn.scalars(update(outbox).where(_owned(ids, owner)).values(
        state="sent", sent_at=now, attempts=outbox.c.attempts + 1, last_error=None,
        lease_owner=None, lease_expires_at=None).returning(outbox.c.id)))
    shown = [{"row_id": row_id, "shown": payload_to_json(payload)}
             for row_id, payload in (payloads or {}).items() if row_id in owned]
    if shown:
        conn.execute(update(outbox).where(outbox.c.id == bindparam("row_id")).values(
            payload=bindparam("shown", type_=outbox.c.payload.type)), shown)


def record_failure(conn: Connection, ids: Sequence[int], owner: str, *, error: str,
                   next_attempt_at: datetime | None) -> None:
    """Count the attempt; retry at `next_attempt_at`, or `failed` for good when it is None."""
    values: dict[str, Any] = {"attempts": outbox.c.attempts + 1, "last_error": error[:2000],
                              "lease_owner": None, "lease_expires_at": None}
    if next_attempt_at is None:
        values["state"] = "failed"
    else:
        values.update(state="pending", next_attempt_at=next_attempt_at)
    conn.execute(update(outbox).where(_owned(ids, owner)).values(**values))


def release(conn: Connection, ids: Sequence[int], owner: str, *, next_attempt_at: datetime | None = None,
            kind: str | None = None, digest_id: int | None = None) -> None:
    """Give claimed rows back unsent: not reached, or deferred to `next_attempt_at` (quiet hours, digest).

    A deferral clears the last error, so the row no longer counts as a retry that holds its channel.
    """
    values: dict[str, Any] = {"state": "pending", "lease_owner": None, "lease_expires_at": None}
    if next_attempt_at is not None:
        values.update(next_attempt_at=next_attempt_at, last_error=None)
    if kind is not None:
        values.update(kind=kind, digest_id=digest_id)
    conn.execute(update(outbox).where(_owned(ids, owner)).values(**values))


def instant_sent_since(conn: Connection, watchlist: str, channel: str, since: datetime) -> list[datetime]:
    return list(conn.scalars(select(outbox.c.sent_at).where(
        outbox.c.watchlist == watchlist, outbox.c.channel == channel, outbox.c.kind == "instant",
        outbox.c.state == "sent", outbox.c.sent_at > since).order_by(outbox.c.sent_at)))


def list_alerts(conn: Connection, *, states: Sequence[str] = (), limit: int = 1000) -> list[Alert]:
    query = select(outbox).order_by(outbox.c.created_at, outbox.c.id).limit(limit)
    if states:
        query = query.where(outbox.c.state.in_(list(states)))
    return [_row(r) for r in conn.execute(query)]


def retry(conn: Connection, ids: Sequence[int] | None, now: datetime) -> int:
    """Put failed rows (the given ones, or all when None) back in the queue with fresh attempts."""
    cond = outbox.c.state == "failed"
    if ids is not None:
        cond = and_(cond, outbox.c.id.in_(list(ids)))
    return conn.execute(update(outbox).where(cond).values(
        state="pending", attempts=0, next_attempt_at=now)).rowcount


def send_now(conn: Connection, ids: Sequence[int], now: datetime) -> int:
    """Make pending rows due now (a retry's backoff or a hold skipped); the next delivery run takes them.

    Quiet hours and rate limits still apply when it does. Returns how many rows were pending.
    """
    return conn.execute(update(outbox).where(outbox.c.id.in_(list(ids)), outbox.c.state == "pending")
                        .values(next_attempt_at=now)).rowcount


def expedite(conn: Connection, now: datetime, *, ids: Sequence[int] | None = None,
             channels: Sequence[str] | None = None) -> list[int]:
    """Make pending rows that wait for a retry due at `now` (backoff ignored); returns their ids.

    Rows held by quiet hours, a digest schedule or a rate limit have no last error: they keep their time.
    """
    cond = and_(outbox.c.state == "pending", outbox.c.last_error.is_not(None), outbox.c.next_attempt_at > now)
    if ids is not None:
        cond = and_(cond, outbox.c.id.in_(list(ids)))
    if channels is not None:
        cond = and_(cond, outbox.c.channel.in_(list(channels)))
    return list(conn.scalars(update(outbox).where(cond).values(next_attempt_at=now).returning(outbox.c.id)))


def load_outlines(conn: Connection, story_ids: Iterable[int]) -> dict[int, StoryOutline | None]:
    """Each distinct story once (several alerts often show the same story), headlines only; None for a
    story that no longer exists."""
    return {story_id: story_repository.load_outline(conn, story_id) for story_id in dict.fromkeys(story_ids)}
