"""news-monitor: polls news feeds, links one story across outlets and languages, and alerts once."""

import os

__version__ = "0.1.0"

# The OpenMP runtime reads its settings once, when the first library that uses it loads (usearch's
# vector kernels load one before the model does, and the model then runs on it): so here, before any.
# The thread count comes from the config, later: monitor/stories/openmp.py sets it at each call.
# Threads that wait by spinning burn a core between batches and while the other jobs run; waiting
# passively halves the model's CPU per article on a shared 2-core host (bench/pipeline.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# numpy's OpenBLAS starts a worker per core when it loads, and the workers spin between calls: 1.35%
# of the CPU samples of `bench.pipeline` (perf), for products of one article's vector against a
# window's, which one thread does in well under a millisecond. The operator's number wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
