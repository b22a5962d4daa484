// swift-tools-version:6.0
import PackageDescription

// TensorKit's kernels are built for Haswell-class x86 (AVX2 + FMA, 2013 and later) on x86 machines.
#if arch(x86_64)
let kernelFlags: [String] = ["-Ounchecked", "-target-cpu", "haswell"]
let simdFlags: [String] = ["-target-cpu", "haswell"]
// The AVX-512 kernels are a module of their own, compiled for Skylake-SP-class AVX-512 and called only
// when the CPU has it (checked at run time).
let avx512Flags: [String] = ["-Ounchecked", "-target-cpu", "skylake-avx512"]
#else
let kernelFlags: [String] = ["-Ounchecked"]
let simdFlags: [String] = []
let avx512Flags: [String] = ["-Ounchecked"]
#endif

let package = Package(
    name: "PixelPilot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pixelpilot", targets: ["pixelpilot"]),
        .library(name: "TensorKit", targets: ["TensorKit"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Desktop", targets: ["Desktop"]),
        .library(name: "Workshop", targets: ["Workshop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The layout server (module LayoutServer only): HTTP + WebSocket.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        // libjpeg-turbo (Debian: libjpeg62-turbo-dev), behind a small C shim that turns its
        // longjmp error handling into return codes.
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "TensorKitAVX512", swiftSettings: [.unsafeFlags(avx512Flags)]),
        // The seedable generator and vectorised normal fills, shared by TensorKit and the arenas.
        .target(name: "SeededRandom", swiftSettings: [.unsafeFlags(kernelFlags)]),
        .target(name: "TensorKit", dependencies: ["CBLAS", "CCPUFeatures", "TensorKitAVX512", "SeededRandom"],
                swiftSettings: [.unsafeFlags(kernelFlags)]),
        // Imaging, Desktop and LayoutReader hold hot pixel loops (FFT, registration, pixel formats): built for AVX2 + FMA, but
        // with the usual checks (they read files and screens from outside the process).
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG"], swiftSettings: [.unsafeFlags(simdFlags)]),
        .target(name: "Datasets", dependencies: ["TensorKit", "Imaging"]),
        // What trainers and apps share to report on models: the confusion matrix, learning curves, Keras-style progress text.
        .target(name: "TrainingReports", dependencies: ["TensorKit", "Imaging"]),
        .target(name: "Desktop", dependencies: ["CX11", "Imaging"], swiftSettings: [.unsafeFlags(simdFlags)]),
        // Releases whatever an agent holds when the agent dies (C, no runtime: it must outlive a crash).
        .executableTarget(name: "pixelpilot-guardian", linkerSettings: [.linkedLibrary("X11"), .linkedLibrary("Xtst")]),
        // In-memory screen, input, windows, clipboard, hotkeys, recorder, a manual clock, and the Xvfb test case.
        .target(name: "DesktopTesting", dependencies: ["Desktop", "Imaging"]),
        .target(name: "Arena", dependencies: ["Desktop", "Imaging", "SeededRandom"]),
        // The default line-extraction UNet (`make layout-models`) and layout classifier (`make layout-vit-model`),
        // copied beside the executable.
        .target(name: "LayoutReader", dependencies: ["TensorKit", "Imaging", "Desktop", "TrainingReports"],
                resources: [.copy("Resources/unet-small.safetensors"), .copy("Resources/layout-vit.safetensors")],
                swiftSettings: [.unsafeFlags(simdFlags)]),
        // The built-in cell classifier (made by `make models`), copied beside the executable.
        .target(name: "StashSorter", dependencies: ["TensorKit", "Imaging", "Datasets", "Desktop", "Arena", "TrainingReports"],
                resources: [.copy("Resources/gem-classifier.safetensors")]),
        // Crash-safe recordings (SQLite in WAL mode through GRDB; the only module that links GRDB)
        // and the windowed imitation dataset read from them.
        .target(name: "Recording", dependencies: ["TensorKit", "Imaging", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: [.unsafeFlags(simdFlags)]),
        // The layout reader's inference server and its client (WebSocket, Hummingbird); the only module that links them.
        .target(name: "LayoutServer", dependencies: [
            "LayoutReader", "Imaging",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Autopilot", dependencies: ["TensorKit", "Imaging", "Desktop", "Arena", "Recording"]),
        // Recipes, data generation, evaluation, benchmarks and the demos' loops: what the commands do, callable from Swift.
        .target(name: "Workshop", dependencies: [
            "TensorKit", "Imaging", "Datasets", "Desktop", "Arena", "StashSorter", "LayoutReader", "Recording", "Autopilot",
            "TrainingReports", "SeededRandom",
        ]),
        // The commands, as a library so tests parse them in-process; the executable only runs them.
        .target(name: "PixelPilotCLI", dependencies: [
            "TensorKit", "Imaging", "Datasets", "Desktop", "Arena", "StashSorter", "LayoutReader", "LayoutServer", "Recording", "Autopilot",
            "TrainingReports", "Workshop",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "pixelpilot", dependencies: ["PixelPilotCLI"]),

        // The parity fixtures are read from the source tree (by #filePath), not bundled.
        .testTarget(name: "TensorKitTests", dependencies: ["TensorKit"], exclude: ["Fixtures"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TensorKit", "Imaging"]),
        .testTarget(name: "DesktopTests", dependencies: ["Desktop", "DesktopTesting", "Imaging", "CX11"]),
        .testTarget(name: "StashSorterTests", dependencies: ["StashSorter", "TensorKit", "Arena", "Desktop", "DesktopTesting", "Imaging", "Datasets"]),
        .testTarget(name: "LayoutReaderTests", dependencies: ["LayoutReader", "Arena", "Desktop", "DesktopTesting", "Imaging", "TensorKit"], exclude: ["Fixtures"]),
        .testTarget(name: "LayoutServerTests", dependencies: [
            "LayoutServer", "LayoutReader", "Imaging",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ArenaMapTests", dependencies: ["Arena", "Desktop", "Imaging"]),
        .testTarget(name: "CLITests", dependencies: ["PixelPilotCLI", "Imaging", "TensorKit", "Desktop", "DesktopTesting", "Arena",
                                                 .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "RacerTests", dependencies: ["Arena", "Desktop", "Imaging"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "Imaging", "TensorKit"]),
        .testTarget(name: "WorkshopTests", dependencies: ["Workshop", "TrainingReports", "TensorKit", "Imaging", "Autopilot", "Recording", "StashSorter"]),
        .testTarget(name: "AutopilotTests", dependencies: ["Autopilot", "Recording", "Arena", "Desktop", "DesktopTesting", "Imaging", "TensorKit"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
