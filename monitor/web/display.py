"""How values read on a page: relative times in the configured zone, language names, text direction."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

# Scripts written right to left: a headline in one of these languages is laid out with dir="rtl";
# any other gets dir="auto" (the browser follows its first strong character).
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}


def text_direction(language: str | None) -> str:
    return "rtl" if language and language.split("-")[0].lower() in RTL_LANGUAGES else "auto"


def language_name(code: str | None) -> str:
    if not code:
        return "unknown language"
    return LANGUAGE_NAMES.get(code.lower(), code)


def _span(seconds: float) -> str:
    minutes = round(seconds / 60)
    if seconds < 45:
        return "a few seconds"
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h"
    days = round(seconds / 86400)
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    months = round(days / 30.4)
    if months < 24:
        return f"{months} months"
    return f"{round(days / 365.25)} years"


def relative(when: datetime | None, now: datetime) -> str:
    """"3 min ago", "in 2 h", "just now"; "never" for None."""
    if when is None:
        return "never"
    seconds = (when - now).total_seconds()
    if abs(seconds) < 45:
        return "just now"
    return f"in {_span(seconds)}" if seconds > 0 else f"{_span(-seconds)} ago"


def local_time(when: datetime | None, zone: ZoneInfo) -> str:
    """The time in the configured zone, e.g. "2026-12-01 14:03 CET"."""
    if when is None:
        return ""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def offset(when: datetime, start: datetime) -> str:
    """How long after `start` something came: "+0", "+12 min", "+3 h"."""
    seconds = (when - start).total_seconds()
    return "+0" if seconds < 45 else f"+{_span(seconds)}"


def duration(seconds: float | int | None) -> str:
    """"11 min", "6 h": an interval, for people."""
    return _span(float(seconds)) if seconds else "-"


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None: a feed may carry `javascript:` or `data:` links."""
    if url and url.split(":", 1)[0].lower() in ("http", "https") and "://" in url:
        return url
    return None


def dom_id(prefix: str, value: str) -> str:
    """A stable element id for any name (a feed's name may hold spaces, quotes or any script)."""
    return f"{prefix}-{hashlib.sha1(value.encode()).hexdigest()[:12]}"
