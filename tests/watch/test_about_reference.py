"""The `about` reference set ships embedded for the default model: the shipped vectors are the model's
own, a calibrator on that model embeds only the descriptions, and an edited set is never read from
vectors of the old one."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import numpy as np
import pytest

from monitor.stories.embedders import load_embedder
from monitor.stories.embedding import Embedder, EmbedKind
from monitor.stories.settings import StorySettings
from monitor.watch import about
from monitor.watch.about import (
    AboutCalibrator,
    reference_sentences,
    shipped_reference,
    shipped_reference_name,
)
from monitor.watch.model import Calibration

pytestmark = pytest.mark.slow  # loads e5-small and embeds the reference set twice

DESCRIPTION = "An earthquake or a storm causes damage and casualties"


class CountingEmbedder:
    """The real e5-small, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        self.texts += texts
        return self.inner.embed(texts, kind=kind)


@pytest.fixture(scope="module")
def e5_small() -> Embedder:
    return load_embedder(StorySettings(embedder="e5-small", engine="bundled"))


def test_the_shipped_reference_vectors_are_the_models_own(e5_small: Embedder) -> None:
    shipped = shipped_reference("e5-small")
    assert shipped is not None, "after editing reference.txt: PYTHONPATH=. python scripts/embed_reference.py"
    for kind in about.KINDS:
        fresh = e5_small.embed(reference_sentences(), kind=kind)
        assert shipped[kind].shape == fresh.shape
        assert float(np.min(np.sum(shipped[kind] * fresh, axis=1))) >= 0.999


def test_a_calibrator_on_the_shipped_model_embeds_only_its_descriptions(e5_small: Embedder) -> None:
    counting = CountingEmbedder(e5_small)
    embedded = AboutCalibrator(counting).build([DESCRIPTION], threshold=3.5).embedded
    assert counting.texts == [DESCRIPTION]
    # the same calibration as from the reference set embedded now
    calibrations: list[tuple[EmbedKind, Calibration]] = [("passage", embedded.passage),
                                                          ("query", embedded.stored)]
    for kind, calibration in calibrations:
        fresh = e5_small.embed(reference_sentences(), kind=kind) @ embedded.vectors.T
        assert np.allclose(calibration.mean, fresh.mean(axis=0), atol=1e-3)
        assert np.allclose(calibration.spread, fresh.std(axis=0), atol=1e-3)


def test_another_model_embeds_the_reference_set_itself(e5_small: Embedder) -> None:
    counting = CountingEmbedder(e5_small)
    counting.name = "st:some-other-model"
    assert AboutCalibrator(counting).build([DESCRIPTION], threshold=3.5).embedded.vectors.shape == (1, 384)
    assert len(counting.texts) == 1 + 2 * len(reference_sentences())


def test_an_edited_reference_set_is_not_read_from_the_old_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    before = shipped_reference_name("e5-small")
    edited = [*reference_sentences(), "A new reference sentence about a harvest festival."]
    monkeypatch.setattr(about, "reference_sentences", lambda: edited)
    assert shipped_reference_name("e5-small") != before
    assert shipped_reference("e5-small") is None


def test_only_the_current_reference_vectors_ship() -> None:
    shipped = sorted(p.name for p in resources.files("monitor.watch").iterdir()
                     if p.name.startswith("reference-") and p.name.endswith(".npy"))
    assert shipped == [shipped_reference_name("e5-small")]
