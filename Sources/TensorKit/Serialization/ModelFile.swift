import Foundation

/// A model stored as one `.safetensors` file whose `__metadata__` says everything needed to
/// rebuild and use it: the architecture's name, its configuration, the class names, the input
/// size and the preprocessing.
public struct ModelFile {
    /// Architecture identifier, such as `pixelpilot.cell-cnn`.
    public var architecture: String
    /// Architecture parameters, as strings (JSON for structured values).
    public var config: [String: String]
    /// Output class names, in output order.
    public var classNames: [String]
    /// Input size `[height, width, channels]`.
    public var inputShape: [Int]
    /// How raw 0–255 pixels become the model input, in words, e.g. `rgb 0-255 (model rescales by 1/255)`.
    public var preprocessing: String
    /// Parameters and buffers.
    public var tensors: [String: Tensor]

    public init(
        architecture: String, config: [String: String] = [:], classNames: [String], inputShape: [Int],
        preprocessing: String, tensors: [String: Tensor]
    ) {
        self.architecture = architecture
        self.config = config
        self.classNames = classNames
        self.inputShape = inputShape
        self.preprocessing = preprocessing
        self.tensors = tensors
    }

    static let formatVersion = "1"

    /// Writes the model atomically.
    public func write(to url: URL) throws {
        var meta: [String: String] = [
            "format": "pixelpilot-model",
            "format_version": ModelFile.formatVersion,
            "architecture": architecture,
            "class_names": ModelFile.json(classNames),
            "input_shape": ModelFile.json(inputShape),
            "preprocessing": preprocessing,
        ]
        meta["config"] = ModelFile.json(config)
        try SafeTensors.write(.init(tensors: tensors, metadata: meta), to: url)
    }

    /// Reads a model file, checking that its metadata is complete.
    public static func read(from url: URL) throws -> ModelFile {
        let contents = try SafeTensors.read(contentsOf: url)
        let m = contents.metadata
        func need(_ key: String) throws -> String {
            guard let v = m[key] else {
                throw TensorError.badFile(path: url.path, reason: "not a PixelPilot model: metadata has no '\(key)'")
            }
            return v
        }
        guard m["format"] == "pixelpilot-model" else {
            throw TensorError.badFile(
                path: url.path, reason: "not a PixelPilot model (safetensors metadata lacks format=pixelpilot-model)")
        }
        let arch = try need("architecture")
        guard let classes = try? JSONDecoder().decode([String].self, from: Data(try need("class_names").utf8)),
            !classes.isEmpty
        else {
            throw TensorError.badFile(
                path: url.path, reason: "metadata 'class_names' is not a non-empty JSON list of strings")
        }
        guard let shape = try? JSONDecoder().decode([Int].self, from: Data(try need("input_shape").utf8)) else {
            throw TensorError.badFile(path: url.path, reason: "metadata 'input_shape' is not a JSON list of integers")
        }
        let config = (try? JSONDecoder().decode([String: String].self, from: Data((m["config"] ?? "{}").utf8))) ?? [:]
        return ModelFile(
            architecture: arch, config: config, classNames: classes, inputShape: shape,
            preprocessing: m["preprocessing"] ?? "", tensors: contents.tensors)
    }

    static func json<T: Encodable>(_ v: T) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return (try? enc.encode(v)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
    }
}
