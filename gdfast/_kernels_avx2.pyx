# The kernel of _kernels.pyx, compiled by setup.py with -mavx2 -mfma: the
# same source, one more module, chosen by gdfast._backend on CPUs with AVX2
# and FMA.
include "_kernels.pyx"
