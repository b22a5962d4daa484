import CCPUFeatures

/// What the processor TensorKit runs on can do, checked once at run time.
public enum CPUFeatures {
    /// True when the CPU and OS support AVX-512 F/CD/BW/DQ/VL (Intel Skylake-SP and later, AMD Zen 4
    /// and later); TensorKit's fused convolution kernels then use 512-bit vectors.
    public static let hasAVX512: Bool = pp_cpu_has_avx512() != 0

    /// A short name of the vector instruction set TensorKit's kernels use, for reports.
    public static var kernelInstructionSet: String {
        #if arch(x86_64)
            return DirectConv.useAVX512 ? "AVX-512" : "AVX2"
        #else
            return "SIMD"
        #endif
    }
}
