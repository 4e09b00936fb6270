# The kernel of _kernels.pyx, compiled by setup.py for AVX-512 (F, VL, DQ)
# with 512-bit vectors: the same source, one more module, chosen by
# gdfast._backend on CPUs that have it.
include "_kernels.pyx"
