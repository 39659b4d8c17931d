"""Prometheus metrics, one set per app instance (its own registry, no module globals).

The app builds one `Metrics`, hands it to the pipeline and the delivery job (which count what they
do), and to the web server, which adds gauges read from the database at scrape time. Several app
instances in one process (tests) therefore never share or double-register a metric.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from monitor import __version__
from monitor.errors import StorageError
from monitor.storage.stats import snapshot

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

# Cycles run from well under a second (nothing due) to minutes (a thousand feeds, cold pages).
CYCLE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    """Counters and histograms the pipeline updates; `render()` gives the Prometheus text."""

    def __init__(self, instance: str = "") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.feed_polls = Counter("monitor_feed_polls", "Feed polls by outcome (ok, not_modified, error)",
                                  ["outcome"], registry=r)
        self.errors = Counter("monitor_errors", "Failures recorded and skipped, by kind (feed, page, "
                              "extract, embed, match, delivery, storage)", ["kind"], registry=r)
        self.entries_new = Counter("monitor_entries_new", "Feed entries never seen before", registry=r)
        self.articles_added = Counter("monitor_articles_added", "Articles extracted and stored", registry=r)
        self.stories_changed = Counter("monitor_stories_changed", "Story assignments (created, joined)",
                                       ["event"], registry=r)
        self.alerts_planned = Counter("monitor_alerts_planned", "Outbox rows planned", registry=r)
        self.alert_deliveries = Counter("monitor_alert_deliveries", "Delivery attempts by channel and "
                                        "outcome (sent, error)", ["channel", "outcome"], registry=r)
        self.cycle_seconds = Histogram("monitor_cycle_duration_seconds", "Duration of one job run",
                                       ["job"], buckets=CYCLE_BUCKETS, registry=r)
        Info("monitor_build", "Version and instance name of this process", registry=r).info(
            {"version": __version__, "instance": instance})
        self._database: DatabaseCollector | None = None

    # Short names for the pipeline, so a stage counts in one line.
    def feed_polled(self, outcome: str) -> None:
        self.feed_polls.labels(outcome=outcome).inc()

    def error(self, kind: str) -> None:
        self.errors.labels(kind=kind).inc()

    def story_assigned(self, created: bool) -> None:
        self.stories_changed.labels(event="created" if created else "joined").inc()

    def alert_delivery(self, channel: str, outcome: str) -> None:
        self.alert_deliveries.labels(channel=channel, outcome=outcome).inc()

    @contextmanager
    def time_cycle(self, job: str) -> Iterator[None]:
        """Observe how long the block takes (durations are measurements, not schedule time)."""
        with self.cycle_seconds.labels(job=job).time():
            yield

    def watch_database(self, engine: Engine) -> None:
        """Add gauges read from `engine` at each scrape (once; later calls are ignored)."""
        if self._database is None:
            self._database = DatabaseCollector(engine)
            self.registry.register(self._database)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class DatabaseCollector(Collector):
    """Gauges computed from the database when scraped; `monitor_database_up 0` when it does not answer."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # computed at scrape time; an empty description keeps registration free of queries

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("monitor_database_up", "1 if the database answered this scrape")
        try:
            stats = snapshot(self._engine)
        except StorageError as exc:
            log.warning("metrics: database figures unavailable", extra={"error": str(exc)})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        feeds = GaugeMetricFamily("monitor_feeds_configured", "Feeds by state", labels=["state"])
        for state, count in sorted(stats.feeds.items()):
            feeds.add_metric([state], count)
        yield feeds
        alerts = GaugeMetricFamily("monitor_outbox_alerts", "Outbox rows by state and channel",
                                   labels=["state", "channel"])
        for (state, channel), count in sorted(stats.alerts.items()):
            alerts.add_metric([state, channel], count)
        yield alerts
        yield GaugeMetricFamily("monitor_stories_stored", "Stories in the database", value=stats.stories)
        yield GaugeMetricFamily("monitor_articles_stored", "Articles in the database", value=stats.articles)
