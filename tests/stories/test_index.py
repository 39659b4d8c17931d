import numpy as np
import pytest

from monitor.stories.index import VectorIndex


def _unit(rng, n, dim=32):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("limit", [0, 50])  # 0: numpy only; 50: moves into usearch on the way
def test_search_finds_each_vector_and_skips_removed(limit):
    rng = np.random.default_rng(0)
    vectors = _unit(rng, 200)
    index = VectorIndex(32, brute_force_below=limit)
    for key, v in enumerate(vectors):
        index.upsert(key + 1000, v)
    assert len(index) == 200
    for key in (1000, 1077, 1199):
        best, sim = index.search(vectors[key - 1000], 3)[0]
        assert best == key and sim == pytest.approx(1.0, abs=1e-3)  # the graph stores float16
    index.remove(1077)
    assert 1077 not in index
    assert all(k != 1077 for k, _ in index.search(vectors[77], 5))


def test_upsert_replaces_a_vector():
    rng = np.random.default_rng(1)
    a, b = _unit(rng, 2)
    index = VectorIndex(32)
    index.upsert(7, a)
    index.upsert(7, b)
    assert len(index) == 1
    assert index.search(b, 1)[0][1] == pytest.approx(1.0, abs=1e-5)
