import Foundation
import TensorKit

/// The layout classifier: map tokens (``LayoutTokens``) through the seed's vision transformer
/// (``ViTNetwork``) to one probability per layout.
///
/// Not thread-safe (TensorKit's autodiff switch is global): classify from one thread at a time.
public final class ViTLayoutClassifier: LayoutClassifying {
    /// The model file's architecture name.
    public static let architecture = "pixelpilot.layout-vit"
    /// The default model's file name (committed under `Sources/LayoutReader/Resources/`).
    public static let defaultFileName = "layout-vit.safetensors"

    public let network: ViTNetwork
    public let classNames: [String]

    public init(network: ViTNetwork, classNames: [String]) {
        precondition(classNames.count == network.configuration.classes, "one class name per output")
        network.eval()
        self.network = network
        self.classNames = classNames
    }

    /// Loads a model file written by ``write(to:)`` (or `pixelpilot train layout`). A corrupt file,
    /// another architecture or a shape that does not fit is ``LayoutModelError/badModel(path:reason:)``.
    public convenience init(contentsOf url: URL) throws {
        let file: ModelFile
        do { file = try ModelFile.read(from: url) } catch {
            throw LayoutModelError.badModel(path: url.path, reason: "cannot be read as a model file: \(error)")
        }
        guard file.architecture == ViTLayoutClassifier.architecture else {
            throw LayoutModelError.badModel(
                path: url.path,
                reason:
                    "is a '\(file.architecture)' model, not a layout classifier (\(ViTLayoutClassifier.architecture))")
        }
        guard let json = file.config["vit"],
            let configuration = try? JSONDecoder().decode(ViTConfiguration.self, from: Data(json.utf8))
        else {
            throw LayoutModelError.badModel(path: url.path, reason: "metadata has no valid 'vit' configuration")
        }
        if let p = configuration.problem { throw LayoutModelError.badModel(path: url.path, reason: p) }
        guard file.classNames.count == configuration.classes else {
            throw LayoutModelError.badModel(
                path: url.path, reason: "\(file.classNames.count) class names for \(configuration.classes) outputs")
        }
        let network = ViTNetwork(configuration)
        do { try network.load(stateDict: file.tensors) } catch {
            throw LayoutModelError.badModel(path: url.path, reason: "weights do not fit \(configuration): \(error)")
        }
        self.init(network: network, classNames: file.classNames)
    }

    /// Loads the seed's own checkpoint (a plain safetensors file with the reference's key names
    /// and (in, out) weights, §11.4) for the seed's network, with the given class names.
    public static func seedCheckpoint(
        contentsOf url: URL, classNames: [String], configuration: ViTConfiguration = .seed
    ) throws -> ViTLayoutClassifier {
        let tensors: [String: Tensor]
        do { tensors = try SafeTensors.read(contentsOf: url).tensors } catch {
            throw LayoutModelError.badModel(path: url.path, reason: "cannot be read as safetensors: \(error)")
        }
        let network = ViTNetwork(configuration)
        do { try network.loadSeed(tensors) } catch {
            throw LayoutModelError.badModel(path: url.path, reason: "not the seed's ViT checkpoint: \(error)")
        }
        return ViTLayoutClassifier(network: network, classNames: classNames)
    }

    /// Writes the model (weights, configuration, class names) as one `.safetensors` file.
    public func write(to url: URL, extra: [String: String] = [:]) throws {
        let c = network.configuration
        var config = extra
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        config["vit"] = String(decoding: try enc.encode(c), as: UTF8.self)
        try ModelFile(
            architecture: ViTLayoutClassifier.architecture, config: config, classNames: classNames,
            inputShape: [c.tokens, LayoutTokens.patchSize, LayoutTokens.patchSize],
            preprocessing:
                "binary line mask at the seed's half scale; 32x32 tokens around the origin, nearest first; 2-D sin/cos positions",
            tensors: network.stateDict()
        ).write(to: url)
    }

    /// The prediction for `lines`: its tokens (at the seed's scale, ``LineMask/scale`` respected)
    /// through the network. No line pixel is ``LayoutReaderError/noMapFeatures``.
    public func classify(_ lines: LineMask) throws -> LayoutPrediction {
        try classify(LayoutTokens(mask: lines, limit: network.configuration.tokens))
    }

    /// The prediction for tokens made by ``LayoutTokens``.
    public func classify(_ tokens: LayoutTokens) throws -> LayoutPrediction {
        guard tokens.count > 0 else { throw LayoutReaderError.noMapFeatures }
        return LayoutPrediction(probabilities: probabilities([tokens])[0], tokenCount: tokens.totalCount)
    }

    private lazy var inference = ViTInference(network: network)

    /// Class probabilities for several token sets (each needs at least one token), one at a time
    /// through ``ViTInference`` (the fast path).
    public func probabilities(_ samples: [LayoutTokens]) -> [[Float]] {
        samples.map { s in
            let z = inference.logits(s)
            let m = z.max() ?? 0
            let e = z.map { Foundation.exp($0 - m) }
            let sum = e.reduce(0, +)
            return e.map { $0 / sum }
        }
    }

    /// Class probabilities through the autodiff network, as one batch.
    public func batchProbabilities(_ samples: [LayoutTokens]) -> [[Float]] {
        guard !samples.isEmpty else { return [] }
        return GradMode.withoutGrad {
            let logits = network(ViTBatch(samples, configuration: network.configuration))
            let p = logits.softmax(axis: -1)
            let k = network.configuration.classes
            return (0..<samples.count).map { i in Array(UnsafeBufferPointer(start: p.pointer + i * k, count: k)) }
        }
    }

    // MARK: The default model

    /// The default model's file and where it is looked for (`$PIXELPILOT_LAYOUT_MODEL` first).
    public static let shippedModel = ShippedModel(
        fileName: defaultFileName, environmentVariable: "PIXELPILOT_LAYOUT_MODEL",
        resourceFolder: "PixelPilot_LayoutReader.resources",
        sourceTreeURL: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(defaultFileName))

    /// Every place the default model is looked for, in order.
    public static func defaultCandidates() -> [URL] { shippedModel.candidates() }

    /// The committed default model in the source tree.
    public static var defaultSourceTreeURL: URL { shippedModel.sourceTreeURL }

    /// Loads the default model (made by `make layout-vit-model`); the error lists where it looked.
    public static func loadDefault() throws -> (classifier: ViTLayoutClassifier, url: URL) {
        guard let url = shippedModel.locate() else {
            throw LayoutModelError.notFound(looked: defaultCandidates().map(\.path))
        }
        return (try ViTLayoutClassifier(contentsOf: url), url)
    }
}
