# The engine of passes.pyx, compiled by setup.py for AVX-512 (F, VL, DQ) with
# 512-bit vectors: the same source, one more module, chosen by gdfast._engine
# on CPUs with AVX-512.
include "passes.pyx"
