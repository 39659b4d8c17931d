"""Stable message identities: the same alert always carries the same id, on every resend.

An id is a valid RFC 5322 msg-id: names are percent-encoded to atext characters, so two different
watchlist or channel names can never produce the same id, and long names are replaced by a hash.
"""

from __future__ import annotations

import hashlib
import re

DOMAIN = "news-monitor"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _part(name: str) -> str:
    encoded = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), name)
    if len(encoded) > 60:
        return "h" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
    return encoded


def alert_message_id(story_id: int, watchlist: str, channel: str, update_seq: int) -> str:
    return f"<story-{story_id}.{_part(watchlist)}.{_part(channel)}.{update_seq}@{DOMAIN}>"


def digest_message_id(watchlist: str, channel: str, digest_id: int, first_row_id: int) -> str:
    # first_row_id: alerts that joined a period after its digest went out get a message of their own
    return f"<digest-{digest_id}.{first_row_id}.{_part(watchlist)}.{_part(channel)}@{DOMAIN}>"


def thread_of(story_id: int, watchlist: str, channel: str, update_seq: int) -> tuple[str, ...]:
    """The ids an update refers to: the first alert, then each earlier update."""
    return tuple(alert_message_id(story_id, watchlist, channel, seq) for seq in range(update_seq))
