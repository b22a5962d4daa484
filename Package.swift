// swift-tools-version:6.0
import PackageDescription

// TensorKit's kernels are built for Haswell-class x86 (AVX2 + FMA, 2013 and later) on x86 machines.
#if arch(x86_64)
let kernelFlags: [String] = ["-Ounchecked", "-target-cpu", "haswell"]
// The AVX-512 kernels are a module of their own, compiled for Skylake-SP-class AVX-512 and called only
// when the CPU has it (checked at run time).
let avx512Flags: [String] = ["-Ounchecked", "-target-cpu", "skylake-avx512"]
#else
let kernelFlags: [String] = ["-Ounchecked"]
let avx512Flags: [String] = ["-Ounchecked"]
#endif

let package = Package(
    name: "PixelPilot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pixelpilot", targets: ["pixelpilot"]),
        .library(name: "TensorKit", targets: ["TensorKit"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "Desktop", targets: ["Desktop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // C libraries from the system (Debian: libopenblas-dev, libpng-dev, libx11-dev, libxext-dev, libxtst-dev, libxi-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CX11", path: "Sources/CX11",
                       providers: [.apt(["libx11-dev", "libxext-dev", "libxtst-dev", "libxi-dev"])]),

        .target(name: "CCPUFeatures"),
        .target(name: "TensorKitAVX512", swiftSettings: [.unsafeFlags(avx512Flags)]),
        .target(name: "TensorKit", dependencies: ["CBLAS", "CCPUFeatures", "TensorKitAVX512"],
                swiftSettings: [.unsafeFlags(kernelFlags)]),
        .target(name: "Vision", dependencies: ["CPNG"]),
        .target(name: "Datasets", dependencies: ["TensorKit", "Vision"]),
        .target(name: "Desktop", dependencies: ["CX11", "Vision"], swiftSettings: [.unsafeFlags(kernelFlags)]),
        .target(name: "Arena", dependencies: ["Desktop", "Vision", "TensorKit"]),
        .target(name: "StashSorter", dependencies: ["TensorKit", "Vision", "Datasets", "Desktop"]),
        // Crash-safe recordings (SQLite in WAL mode through GRDB; the only module that links GRDB)
        // and the windowed imitation dataset read from them.
        .target(name: "Recording", dependencies: ["TensorKit", "Vision", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: [.unsafeFlags(kernelFlags)]),
        .target(name: "Autopilot", dependencies: ["TensorKit", "Vision", "Desktop", "Arena", "Recording"]),
        .executableTarget(name: "pixelpilot", dependencies: [
            "TensorKit", "Vision", "Datasets", "Desktop", "Arena", "StashSorter", "Recording", "Autopilot",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The parity fixtures are read from the source tree (by #filePath), not bundled.
        .testTarget(name: "TensorKitTests", dependencies: ["TensorKit"], exclude: ["Fixtures"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TensorKit", "Vision"]),
        .testTarget(name: "DesktopTests", dependencies: ["Desktop", "Vision", "CX11"]),
        .testTarget(name: "StashSorterTests", dependencies: ["StashSorter", "TensorKit", "Arena", "Desktop", "Vision", "Datasets"]),
        .testTarget(name: "CLITests", dependencies: ["Vision", "TensorKit", "Desktop", "Arena"]),
        .testTarget(name: "RacerTests", dependencies: ["Arena", "Desktop", "Vision"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "Vision", "TensorKit"]),
        .testTarget(name: "AutopilotTests", dependencies: ["Autopilot", "Recording", "Arena", "Desktop", "Vision", "TensorKit"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
