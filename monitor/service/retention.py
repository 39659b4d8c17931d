"""The retention job: once in a while, delete what is older than `retention_days` (see storage.retention).

On PostgreSQL several replicas may schedule it; an advisory lock lets one of them do the work and
the others skip their turn.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StorageError
from monitor.storage.locks import RETENTION_LOCK_KEY, try_xact_lock
from monitor.storage.retention import PruneResult, prune

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from monitor.clock import Clock

log = logging.getLogger(__name__)


def run_retention(engine: Engine, clock: Clock, days: int | None) -> PruneResult | None:
    """Prune once; None when retention is off (`days` None) or another replica is already pruning."""
    if days is None:
        return None
    try:
        with engine.begin() as conn:
            if not try_xact_lock(conn, RETENTION_LOCK_KEY):
                log.info("retention skipped: another replica is pruning")
                return None
            result = prune(conn, clock.now(), days)
    except SQLAlchemyError as exc:
        raise StorageError(f"retention failed: {exc}") from exc
    log.info("retention done", extra={"articles_deleted": result.articles, "stories_deleted": result.stories,
                                      "entries_deleted": result.entries, "cutoff": result.cutoff.isoformat()})
    return result
