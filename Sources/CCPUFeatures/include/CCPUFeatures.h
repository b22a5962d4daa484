#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

/// 1 when the CPU and the operating system support the AVX-512 subsets TensorKit's AVX-512 kernels
/// are compiled for (F, CD, BW, DQ, VL: Intel Skylake-SP and later, AMD Zen 4 and later), else 0.
int pp_cpu_has_avx512(void);

#endif
