"""Pin the surface other stages script against, so a rename shows up here first."""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

import monitor.content as content


def test_public_names() -> None:
    assert sorted(content.__all__) == ["ContentSettings", "canonicalize_url", "detect_language",
                                       "extract_article", "resolve_canonical"]


def test_extract_article_signature() -> None:
    parameters = inspect.signature(content.extract_article).parameters
    assert list(parameters) == ["page", "source", "tags", "fallback_title", "fallback_published", "settings"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for name, p in parameters.items() if name != "page")


def test_settings_are_frozen_and_strict() -> None:
    settings = content.ContentSettings()
    assert settings.min_text_chars == 200 and settings.favor_precision
    with pytest.raises(ValidationError, match="no_such_option"):
        content.ContentSettings(no_such_option=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        settings.min_text_chars = 10  # type: ignore[misc]
