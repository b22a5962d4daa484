import Foundation
import Recording
import TensorKit

/// What a policy model file says besides its weights: everything `play` needs to capture and
/// feed frames exactly as in training (key names, frame preprocessing with the window length,
/// the recording's fps, region and screen size).
public struct PolicyMetadata: Codable, Sendable, Equatable {
    /// Output keys, in output order (X keysym names).
    public var keyNames: [String]
    public var preprocessing: FramePreprocessing
    /// Frames per second of the recordings (play captures at this rate).
    public var fps: Double
    /// The recordings' screen region (play uses it unless told otherwise) and screen size.
    public var regionX: Int, regionY: Int, regionWidth: Int, regionHeight: Int
    public var screenWidth: Int, screenHeight: Int
    /// What was recorded ("region", "window NAME", "click").
    public var source: String
    /// The recordings trained on (file names), for the record.
    public var trainedOn: [String]
    /// Per-key thresholds that maximise each key's F1 score on the validation recordings (nil
    /// when there were none); `play --threshold calibrated` uses them, 0.5 is the default.
    public var calibratedThresholds: [Float]?

    public init(fingerprint fp: RecordingFingerprint, preprocessing: FramePreprocessing, trainedOn: [String]) {
        keyNames = fp.keys
        self.preprocessing = preprocessing
        fps = fp.fps
        regionX = fp.regionX
        regionY = fp.regionY
        regionWidth = fp.width
        regionHeight = fp.height
        screenWidth = fp.screenWidth
        screenHeight = fp.screenHeight
        source = fp.source
        self.trainedOn = trainedOn
    }

    /// The window name when the recordings were of a whole window (`source` "window NAME").
    public var windowName: String? {
        source.hasPrefix("window ") ? String(source.dropFirst("window ".count)) : nil
    }

    static func rate(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v) }

    /// What differs from a capture of `width`×`height` pixels at `fps` (empty when it fits).
    public func mismatches(width: Int, height: Int, fps: Double) -> [String] {
        var out: [String] = []
        if regionWidth == 0 || regionHeight == 0 {
            // A converted Keras model knows no region: any region is resized to its frames.
        } else if width != regionWidth || height != regionHeight {
            out.append("the region is \(width)x\(height), the model was trained on \(regionWidth)x\(regionHeight)")
        }
        if abs(fps - self.fps) > 1e-6 {
            out.append(
                "capturing at \(PolicyMetadata.rate(fps)) fps, the model was trained at \(PolicyMetadata.rate(self.fps)) fps"
            )
        }
        return out
    }
}

/// The policy architectures a model file can hold.
public enum PolicyArchitecture: String, Sendable, CaseIterable {
    /// ``SmallPolicy``, the default.
    case small = "pixelpilot.policy.small"
    /// ``SeedPolicy``, the seed's MobileNetV2 + 2 LSTM(128) network.
    case seed = "pixelpilot.seed-policy"
}

/// A policy network with its metadata, read from or written to one `.safetensors` model file.
public struct PolicyModel {
    public var network: any PolicyNetwork
    public var metadata: PolicyMetadata
    public var architecture: PolicyArchitecture

    public init(network: any PolicyNetwork, metadata: PolicyMetadata, architecture: PolicyArchitecture) {
        self.network = network
        self.metadata = metadata
        self.architecture = architecture
    }

    static func json<T: Encodable>(_ v: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? e.encode(v)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Writes the model atomically.
    public func write(to url: URL) throws {
        var config = ["policy": PolicyModel.json(metadata)]
        if let small = network as? SmallPolicy { config["network"] = PolicyModel.json(small.configuration) }
        if let seed = network as? SeedPolicy {
            var file = seed.modelFile(fps: Int(metadata.fps.rounded()))
            file.config["policy"] = config["policy"]
            try file.write(to: url)
            return
        }
        let p = metadata.preprocessing
        try ModelFile(
            architecture: architecture.rawValue, config: config, classNames: metadata.keyNames,
            inputShape: [p.windowLength, p.height, p.width, 3], preprocessing: p.encoded,
            tensors: network.stateDict()
        ).write(to: url)
    }

    /// Reads a model file; every problem is a ``PolicyError/badModel(path:reason:)`` naming the file.
    public static func read(from url: URL) throws -> PolicyModel {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw PolicyError.badModel(path: path, reason: "no such file")
        }
        let file: ModelFile
        do { file = try ModelFile.read(from: url) } catch {
            throw PolicyError.badModel(path: path, reason: "not a readable model file (\(error))")
        }
        guard let architecture = PolicyArchitecture(rawValue: file.architecture) else {
            throw PolicyError.badModel(
                path: path,
                reason:
                    "architecture '\(file.architecture)' is not a policy (known: \(PolicyArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        if architecture == .seed && file.config["policy"] == nil {
            // A seed model converted from Keras (tools/keras_to_pixelpilot.py): no recording region.
            let network: SeedPolicy
            do { network = try SeedPolicy(modelFile: file, path: path) } catch {
                throw PolicyError.badModel(path: path, reason: "\(error)")
            }
            let fp = RecordingFingerprint(
                regionX: 0, regionY: 0, width: 0, height: 0, fps: Double(SeedPolicy.fps(of: file) ?? 10),
                keys: network.keyNames, screenWidth: 0, screenHeight: 0, pixelPilotVersion: "", source: "region")
            network.eval()
            return PolicyModel(
                network: network,
                metadata: PolicyMetadata(fingerprint: fp, preprocessing: network.preprocessing, trainedOn: []),
                architecture: .seed)
        }
        guard let policyJSON = file.config["policy"],
            let metadata = try? JSONDecoder().decode(PolicyMetadata.self, from: Data(policyJSON.utf8))
        else {
            throw PolicyError.badModel(
                path: path, reason: "the policy metadata (keys, fps, region, preprocessing) is missing or unreadable")
        }
        guard !metadata.keyNames.isEmpty, metadata.fps > 0, metadata.preprocessing.windowLength > 0 else {
            throw PolicyError.badModel(path: path, reason: "the policy metadata has no keys, fps or window length")
        }
        let network: any PolicyNetwork
        switch architecture {
        case .small:
            guard let netJSON = file.config["network"],
                let config = try? JSONDecoder().decode(SmallPolicy.Configuration.self, from: Data(netJSON.utf8)),
                !config.channels.isEmpty, config.channels.allSatisfy({ $0 > 0 }), config.featureCount > 0,
                config.hiddenSize > 0
            else { throw PolicyError.badModel(path: path, reason: "the network configuration is missing or invalid") }
            network = SmallPolicy(
                preprocessing: metadata.preprocessing, keyNames: metadata.keyNames, configuration: config)
        case .seed:
            do { network = try SeedPolicy(modelFile: file, path: path) } catch {
                throw PolicyError.badModel(path: path, reason: "\(error)")
            }
        }
        do { try network.load(stateDict: file.tensors) } catch {
            throw PolicyError.badModel(path: path, reason: "the weights do not fit the network (\(error))")
        }
        network.eval()
        return PolicyModel(network: network, metadata: metadata, architecture: architecture)
    }
}
