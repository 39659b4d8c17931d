"""Shared loaders for the story benchmarks: dev pairs, seeds, and a cache of embeddings (outside the repo)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.stories.embedding import Embedder


def shared_dir() -> Path:
    for parent in [Path.cwd(), *Path(__file__).resolve().parents]:
        if (parent / "shared" / "eval").is_dir():
            return parent / "shared"
    return Path("/work/shared")


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    lang: str


def load_pairs(path: Path | None = None) -> list[dict]:
    path = path or shared_dir() / "eval" / "semeval2022" / "pairs.dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pair_docs(pair: dict) -> tuple[Doc, Doc]:
    return tuple(Doc(f"{pair[f'id{s}']}:{pair[f'text{s}_source']}", pair[f"title{s}"] or "",  # type: ignore[return-value]
                     pair[f"text{s}"] or "", pair[f"lang{s}"]) for s in (1, 2))


def is_original(pair: dict) -> bool:
    return pair["text1_source"].startswith("original") and pair["text2_source"].startswith("original")


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
        for text, vector in zip(missing[i:i + 32], embedder.embed(missing[i:i + 32], kind="query"), strict=True):
            known[_key(text)] = vector
    if missing:
        np.savez(path, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
    return np.vstack([known[_key(t)] for t in texts])
