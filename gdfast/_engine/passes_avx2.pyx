# The engine of passes.pyx, compiled by setup.py with -mavx2 -mfma: the same
# source, one more module, chosen by gdfast._engine on CPUs with AVX2 and FMA.
include "passes.pyx"
