"""Matches -> outbox rows: one per (story, watchlist, channel), and one per story update.

Safe to repeat: the unique constraint on (story, watchlist, channel, update_seq) turns a second
planning of the same alert into a no-op, on SQLite and PostgreSQL alike. Each row records what the
story looked like when planned (languages, sources), which is what decides later updates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from monitor.alerts import schedule
from monitor.alerts.ids import alert_message_id
from monitor.alerts.policy import DEFAULT_POLICY, StoryUpdates, WatchlistDelivery
from monitor.models import AlertPayload, HitSummary, Match
from monitor.storage import outbox

if TYPE_CHECKING:
    from sqlalchemy import Connection

log = logging.getLogger(__name__)


class StoryFacts(Protocol):
    """What planning reads of a story (a `Story` or a `StoryOutline`)."""

    @property
    def id(self) -> int: ...
    @property
    def languages(self) -> tuple[str, ...]: ...
    @property
    def sources(self) -> tuple[str, ...]: ...


def plan_alerts(conn: Connection, matches: Sequence[Match], *, watchlists: Mapping[str, WatchlistDelivery],
                now: datetime, stories: Mapping[int, StoryFacts] | None = None) -> int:
    """Add the outbox rows these matches call for; returns how many rows were added.

    `stories` are the matched stories as the caller has them already (the match job does); the others
    are read, headlines only.
    """
    known: dict[int, StoryFacts | None] = dict(stories or {})
    known.update(outbox.load_outlines(conn, (m.story_id for m in matches if m.story_id not in known)))
    added = 0
    for match in matches:
        story = known[match.story_id]
        if story is None:
            log.warning("match for a missing story", extra={"story_id": match.story_id,
                                                            "watchlist": match.watchlist})
            continue
        policy = watchlists.get(match.watchlist, DEFAULT_POLICY)
        for channel in dict.fromkeys(match.channels):  # de-duplicated, order kept
            added += _plan_one(conn, match, story, channel, policy, now)
    return added


def _plan_one(conn: Connection, match: Match, story: StoryFacts, channel: str, policy: WatchlistDelivery,
              now: datetime) -> int:
    latest = outbox.latest_for(conn, story.id, match.watchlist, channel)
    payload = _payload(match, story)
    if latest is None:
        seq = 0
    elif latest.state == "pending":
        # Not sent yet: it will show the story as it is then, so no update; keep its snapshot current.
        if latest.update_seq > 0:
            payload = _with_changes(latest.payload, payload, carry=True)
        outbox.set_payload(conn, latest.id, payload)
        return 0
    elif latest.state != "sent" or not _worth_update(policy.updates, latest.payload, payload):
        return 0
    else:
        seq = latest.update_seq + 1
        payload = _with_changes(latest.payload, payload)
    kind, next_attempt_at = _when(policy, now)
    return int(outbox.insert_ignore(conn, {
        "story_id": story.id, "watchlist": match.watchlist, "channel": channel, "update_seq": seq,
        "kind": kind, "state": "pending", "attempts": 0, "next_attempt_at": next_attempt_at,
        "message_id": alert_message_id(story.id, match.watchlist, channel, seq),
        "digest_id": schedule.digest_id(next_attempt_at) if kind == "digest" else None,
        "created_at": now,
    }, payload))


def _when(policy: WatchlistDelivery, now: datetime) -> tuple[str, datetime]:
    """(kind, first send time): digests at their period, instant alerts now or after quiet hours."""
    if policy.mode == "digest":
        return "digest", schedule.digest_slot(policy, now)
    return schedule.quiet_hold(policy, now) or ("instant", now)


def _payload(match: Match, story: StoryFacts) -> AlertPayload:
    return AlertPayload(
        score=round(match.score, 4), why=match.explain(),
        hits=tuple(HitSummary(h.term, h.field, h.snippet) for h in match.hits),
        languages=tuple(story.languages), sources=tuple(story.sources),
    )


def _worth_update(rule: StoryUpdates, before: AlertPayload, now: AlertPayload) -> bool:
    new_languages = set(now.languages) - set(before.languages)
    new_sources = set(now.sources) - set(before.sources)
    if rule.new_languages and new_languages:
        return True
    return rule.more_sources is not None and len(new_sources) >= rule.more_sources


def _with_changes(before: AlertPayload, now: AlertPayload, *, carry: bool = False) -> AlertPayload:
    """`now` with what an update reports as new; `carry` keeps what a still-unsent update already had."""
    languages = set(now.languages) - set(before.languages)
    sources = set(now.sources) - set(before.sources)
    if carry:
        languages |= set(before.new_languages)
        sources |= set(before.new_sources)
    return replace(now, new_languages=tuple(sorted(languages)), new_sources=tuple(sorted(sources)))
