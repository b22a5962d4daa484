import Arena
import Autopilot
import Desktop
import DesktopTesting
import Foundation
import Imaging
import Recording
import TensorKit
import XCTest

/// The small policy: its two play modes agree, it learns the expert's keys, its model file
/// round-trips and bad files are refused with clear messages.
final class PolicyTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    static let tinyPreprocessing = FramePreprocessing(
        width: 32, height: 24, scale: 1 / 127.5, offset: -1, windowLength: 6)
    static let tinyNetwork = SmallPolicy.Configuration(channels: [8, 16, 16], featureCount: 32, hiddenSize: 16)

    /// Frames of the racer as the arena draws them, the car driven by the expert.
    func racerFrames(_ count: Int, width: Int = 160, height: Int = 120) -> [Image] {
        let track = RacerTrack(seed: 5, size: 0.6)
        var sim = RacerSimulation(track: track)
        var driver = ExpertDriver(track: track)
        let renderer = RacerRenderer(track: track, width: width, height: height)
        var out: [Image] = []
        for k in 0..<count {
            for _ in 0..<6 { sim.step(driver.controls(for: sim)) }
            out.append(renderer.render(RacerView(frame: k, simulation: sim)))
        }
        return out
    }

    /// Each frame encoded once (features cached in the rolling window) gives the same outputs
    /// as the seed's way (the whole window of frames through the whole network every step),
    /// also while the window still holds zero frames.
    func testCachedFeaturesEqualTheSeedsReencodedWindow() {
        let net = SmallPolicy(
            preprocessing: Self.tinyPreprocessing, keyNames: RecordingFingerprint.seedKeys,
            configuration: Self.tinyNetwork, seed: 3)
        let cached = PolicyStepper(network: net, mode: .cachedFeatures)
        let seed = PolicyStepper(network: net, mode: .reencodeWindow)
        var worst: Float = 0
        var spread: Float = 0
        var first: [Float]?
        for image in racerFrames(14) {
            let a = cached.step(image)
            let b = seed.step(image)
            for (x, y) in zip(a, b) { worst = max(worst, abs(x - y)) }
            if let f = first { for (x, y) in zip(a, f) { spread = max(spread, abs(x - y)) } } else { first = a }
        }
        XCTAssertLessThan(worst, 1e-5, "the two modes differ by \(worst)")
        XCTAssertGreaterThan(spread, 1e-4, "the outputs change with the frames (the test compares something)")
    }

    /// The expert's simulated drives on small tracks with these seeds, without slips, raw frames.
    func expertDrives(_ seeds: [UInt64], seconds: Double, width: Int, height: Int) throws -> [RecordingFile] {
        try seeds.map { seed in
            let url = work.appendingPathComponent("drive\(seed).ppr")
            try SimulatedRacer.recordExpert(
                track: RacerTrack(seed: seed, size: 0.6), seconds: seconds, width: width, height: height,
                human: HumanLikeKeys(mistakesPerSecond: 0, seed: seed), encoding: .raw, to: url)
            return try RecordingFile(url: url)
        }
    }

    /// A tiny policy trained here on short expert recordings predicts the expert's keys on a
    /// recording it never saw much better than always answering the most common key set.
    func testTinyPolicyReproducesTheExpertsKeysOnHeldOutFrames() throws {
        let files = try expertDrives([11, 12, 13, 14], seconds: 40, width: 240, height: 180)
        var options = PolicyTrainingOptions()
        options.preprocessing = FramePreprocessing(width: 48, height: 36, scale: 1 / 127.5, offset: -1, windowLength: 6)
        options.network = SmallPolicy.Configuration(channels: [8, 16, 16, 16], featureCount: 32, hiddenSize: 16)
        options.epochs = 8
        options.patience = nil
        options.validation = 0.25
        options.test = 0.25
        options.optimizer = .adam
        options.learningRate = 2e-3
        options.flip = true
        let started = Date()
        let result = try PolicyTraining(recordings: files, options: options).run()
        let test = try XCTUnwrap(result.test)
        let seconds = Date().timeIntervalSince(started)
        let keys = test.keyNames
        print(
            String(
                format: "tiny policy: %d epochs in %.1f s, test key set equal %.3f vs most common set %.3f; ",
                result.history.epochs.count,
                seconds, test.exactMatchRate, test.majorityRate)
                + keys.indices.map { "\(keys[$0]) P \(test.precision($0) ?? -1) R \(test.recall($0) ?? -1)" }.joined(
                    separator: ", "))
        XCTAssertEqual(result.parts[.test]?.count, 1)
        XCTAssertGreaterThan(test.windows, 300)
        XCTAssertGreaterThan(
            test.exactMatchRate, test.majorityRate + 0.1, "better than the most common key set by a margin")
        // It steers: when it predicts Left or Right, it is right far more often than the key's
        // share of the frames (what guessing would get), and it finds a real part of them. (The
        // expert taps the steering keys on and off in a corner, so no policy finds them all.)
        for key in ["Left", "Right"] {
            let k = try XCTUnwrap(keys.firstIndex(of: key))
            let share = Double(test.positives[k]) / Double(test.windows)
            XCTAssertGreaterThan(test.precision(k) ?? 0, share + 0.15, "\(key) precision against its share \(share)")
            XCTAssertGreaterThan(test.recall(k) ?? 0, 0.25, "\(key) recall")
        }
        // The model file round-trips: same outputs after writing and reading.
        let url = work.appendingPathComponent("policy.safetensors")
        try result.model.write(to: url)
        let back = try PolicyModel.read(from: url)
        XCTAssertEqual(back.metadata, result.model.metadata)
        let frame = try files[0].image(100)
        let a = PolicyStepper(network: result.model.network).step(frame)
        let b = PolicyStepper(network: back.network).step(frame)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6) }
    }

    /// `validationRecordings` names the validation part (what `demo autopilot` does to validate on
    /// its live recording): exactly those recordings, the rest trained on, no test part; indices
    /// that leave nothing to train on are refused.
    func testExplicitValidationRecordings() throws {
        let files = try expertDrives([21, 22, 23], seconds: 6, width: 160, height: 120)
        var options = PolicyTrainingOptions()
        options.preprocessing = FramePreprocessing(width: 32, height: 24, scale: 1 / 127.5, offset: -1, windowLength: 4)
        options.network = SmallPolicy.Configuration(channels: [4, 8, 8, 8], featureCount: 8, hiddenSize: 8)
        options.epochs = 1
        options.validationRecordings = [2]
        let result = try PolicyTraining(recordings: files, options: options).run()
        XCTAssertEqual(result.parts[.validation], [2])
        XCTAssertEqual(result.parts[.train], [0, 1])
        XCTAssertEqual(result.parts[.test], [])
        XCTAssertNotNil(result.validation)
        options.validationRecordings = [0, 1, 2]
        XCTAssertThrowsError(try PolicyTraining(recordings: files, options: options).run()) { error in
            XCTAssertTrue("\(error)".contains("leaving some to train on"), "\(error)")
        }
    }

    /// The target of `play`: the window the model was recorded on, or the one given, or a region.
    func testPlayTargetIsTheRecordedWindowUnlessToldOtherwise() throws {
        let net = SmallPolicy(
            preprocessing: Self.tinyPreprocessing, keyNames: RecordingFingerprint.seedKeys,
            configuration: Self.tinyNetwork)
        func model(source: String, width: Int = 320) -> PolicyModel {
            let fp = RecordingFingerprint(
                regionX: 10, regionY: 20, width: width, height: 240, fps: 10, keys: RecordingFingerprint.seedKeys,
                screenWidth: 800, screenHeight: 600, pixelPilotVersion: "0.1.0", source: source)
            return PolicyModel(
                network: net,
                metadata: PolicyMetadata(fingerprint: fp, preprocessing: Self.tinyPreprocessing, trainedOn: []),
                architecture: .small)
        }
        let windows = MemoryWindowSystem()
        let rally = windows.add(title: "Rally", rect: ScreenRect(x: 100, y: 50, width: 320, height: 240))
        let other = windows.add(title: "Notes", rect: ScreenRect(x: 0, y: 0, width: 200, height: 100))
        windows.focus(other.id)
        let recorded = try PlayTarget.resolve(
            model(source: "window Rally"), path: "m", region: nil, window: nil, windows: windows)
        XCTAssertEqual(recorded, PlayTarget(region: rally.rect, window: rally.id))
        let given = try PlayTarget.resolve(
            model(source: "window Rally"), path: "m", region: nil, window: WindowSpec("Notes"), windows: windows)
        XCTAssertEqual(given, PlayTarget(region: other.rect, window: other.id))
        let region = ScreenRect(x: 5, y: 6, width: 320, height: 240)
        XCTAssertEqual(
            try PlayTarget.resolve(
                model(source: "window Rally"), path: "m", region: region, window: nil, windows: windows),
            PlayTarget(region: region, window: other.id), "a region plays on the focused window")
        XCTAssertEqual(
            try PlayTarget.resolve(model(source: "region"), path: "m", region: nil, window: nil, windows: windows),
            PlayTarget(region: ScreenRect(x: 10, y: 20, width: 320, height: 240), window: other.id))
        XCTAssertThrowsError(
            try PlayTarget.resolve(
                model(source: "converted", width: 0), path: "m.safetensors", region: nil, window: nil, windows: windows)
        ) {
            XCTAssertEqual(
                "\($0)", "m.safetensors: it records no region (a converted model): give --window or --region")
        }
        XCTAssertThrowsError(
            try PlayTarget.resolve(model(source: "window Gone"), path: "m", region: nil, window: nil, windows: windows))
    }

    /// A corrupt, truncated, foreign or incomplete model file is refused, naming the file and
    /// what is wrong; a model is checked against the region and fps it would play on.
    func testBadModelFilesAndMismatchesAreClearErrors() throws {
        let net = SmallPolicy(
            preprocessing: Self.tinyPreprocessing, keyNames: RecordingFingerprint.seedKeys,
            configuration: Self.tinyNetwork)
        let fp = RecordingFingerprint(
            regionX: 10, regionY: 20, width: 320, height: 240, fps: 10, keys: RecordingFingerprint.seedKeys,
            screenWidth: 800, screenHeight: 600, pixelPilotVersion: "0.1.0", source: "window Rally")
        let model = PolicyModel(
            network: net,
            metadata: PolicyMetadata(fingerprint: fp, preprocessing: Self.tinyPreprocessing, trainedOn: []),
            architecture: .small)
        let good = work.appendingPathComponent("good.safetensors")
        try model.write(to: good)
        XCTAssertEqual(try PolicyModel.read(from: good).metadata.windowName, "Rally")

        func reason(_ url: URL) -> String {
            do {
                _ = try PolicyModel.read(from: url)
                return "no error"
            } catch { return "\(error)" }
        }
        let missing = work.appendingPathComponent("missing.safetensors")
        XCTAssertTrue(reason(missing).contains("missing.safetensors: no such file"), reason(missing))
        let garbage = work.appendingPathComponent("garbage.safetensors")
        try Data((0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: garbage)
        XCTAssertTrue(reason(garbage).hasPrefix(garbage.path + ": not a readable model file"), reason(garbage))
        let data = try Data(contentsOf: good)
        let truncated = work.appendingPathComponent("truncated.safetensors")
        try data.prefix(data.count / 2).write(to: truncated)
        XCTAssertTrue(reason(truncated).hasPrefix(truncated.path + ": not a readable model file"), reason(truncated))
        let foreign = work.appendingPathComponent("classifier.safetensors")
        try ModelFile(
            architecture: "pixelpilot.cell-cnn", classNames: ["a"], inputShape: [8, 8, 3], preprocessing: "",
            tensors: ["w": Tensor(zeros: [2])]
        ).write(to: foreign)
        XCTAssertTrue(reason(foreign).contains("is not a policy"), reason(foreign))
        // Weights that do not fit the stated network.
        var tensors = net.stateDict()
        tensors["head.weight"] = Tensor(zeros: [3, 16])
        let wrong = work.appendingPathComponent("wrong.safetensors")
        try ModelFile(
            architecture: PolicyArchitecture.small.rawValue,
            config: [
                "policy": String(decoding: try JSONEncoder().encode(model.metadata), as: UTF8.self),
                "network": String(decoding: try JSONEncoder().encode(Self.tinyNetwork), as: UTF8.self),
            ], classNames: fp.keys, inputShape: [6, 24, 32, 3], preprocessing: "", tensors: tensors
        ).write(to: wrong)
        XCTAssertTrue(reason(wrong).contains("the weights do not fit the network"), reason(wrong))
        XCTAssertTrue(reason(wrong).contains("head.weight"), reason(wrong))

        let m = model.metadata
        XCTAssertEqual(m.mismatches(width: 320, height: 240, fps: 10), [])
        XCTAssertEqual(
            m.mismatches(width: 640, height: 480, fps: 30),
            [
                "the region is 640x480, the model was trained on 320x240",
                "capturing at 30 fps, the model was trained at 10 fps",
            ])
    }
}

/// The seed's network (SeedPolicy) through the same training, model file and play stepper.
final class SeedArchitectureTests: XCTestCase {
    func testSeedNetworkTrainsSavesAndStepsLikeTheSmallOne() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("seed-arch-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let url = work.appendingPathComponent("d.ppr")
        try SimulatedRacer.recordExpert(
            track: RacerTrack(seed: 3, size: 0.6), seconds: 4, width: 64, height: 64, encoding: .raw, to: url)
        var options = PolicyTrainingOptions()
        options.architecture = .seed
        options.preprocessing = FramePreprocessing(width: 32, height: 32, scale: 1 / 127.5, offset: -1, windowLength: 3)
        options.epochs = 1
        let result = try PolicyTraining(recordings: [try RecordingFile(url: url)], options: options).run()
        XCTAssertTrue(result.model.network is SeedPolicy)
        XCTAssertEqual(result.history.epochs.count, 1)
        let file = work.appendingPathComponent("seed.safetensors")
        try result.model.write(to: file)
        let back = try PolicyModel.read(from: file)
        XCTAssertEqual(back.architecture, .seed)
        XCTAssertEqual(back.metadata, result.model.metadata)
        let frames = try RecordingFile(url: url)
        let cached = PolicyStepper(network: back.network)
        let seed = PolicyStepper(network: back.network, mode: .reencodeWindow)
        for i in 0..<5 {
            let image = try frames.image(i)
            for (a, b) in zip(cached.step(image), seed.step(image)) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        }
    }
}
