import Foundation
import TensorKit
import TrainingReports
import Imaging
import Datasets

/// The seed's stash-cell classifier: a small Keras-style CNN that tells a 52×52 cell's content
/// (`blue`, `empty`, `green`, `red` for the gem tab), stored as one self-describing model file.
///
/// Network (as the seed built it): Rescaling 1/255; three blocks of Conv 3×3 "same" + ReLU,
/// 2×2 max-pool and dropout 0.3 with 8, 16 and 32 filters; Flatten (H, W, C order); Dense 128 ReLU;
/// Dense N logits.
public final class CellClassifier {
    /// The architecture name written to model files.
    public static let architecture = "pixelpilot.cell-cnn"

    public let network: Sequential
    public let classNames: [String]
    /// Input height and width in pixels.
    public let inputSize: Int
    public let dropoutRate: Float
    /// Logits are divided by this before the softmax (temperature scaling, calibrated on the
    /// validation split when training; 1 = none). Stored in the model file.
    public var temperature: Float = 1

    /// A new, randomly initialised classifier (Keras's Glorot-uniform weights, zero biases).
    public init(classNames: [String], inputSize: Int = 52, dropoutRate: Float = 0.3, seed: UInt64 = 0) {
        self.classNames = classNames
        self.inputSize = inputSize
        self.dropoutRate = dropoutRate
        network = CellClassifier.makeNetwork(
            classes: classNames.count, inputSize: inputSize, dropoutRate: dropoutRate, seed: seed)
    }

    /// The size of the flattened features after three 2×2 poolings (floor, like Keras).
    static func flattenedCount(_ inputSize: Int) -> Int {
        let s = inputSize / 2 / 2 / 2
        return s * s * 32
    }

    static func makeNetwork(classes: Int, inputSize: Int, dropoutRate: Float, seed: UInt64) -> Sequential {
        var layers: [any UnaryLayer] = [Rescaling(scale: 1 / 255)]
        var inC = 3
        for (i, outC) in [8, 16, 32].enumerated() {
            layers.append(
                Conv2D(inC, outC, kernelSize: 3, padding: .same, initializer: .glorotUniform, seed: seed &+ UInt64(i)))
            layers.append(ReLU())
            layers.append(MaxPool2D(kernelSize: 2, stride: 2))
            layers.append(Dropout(rate: dropoutRate, seed: seed &+ 100 &+ UInt64(i)))
            inC = outC
        }
        layers.append(Flatten())
        layers.append(Linear.glorot(flattenedCount(inputSize), 128, seed: seed &+ 10))
        layers.append(ReLU())
        layers.append(Linear.glorot(128, classes, seed: seed &+ 11))
        return Sequential(layers)
    }

    /// Loads a model file written by ``save(to:)``. Errors name the file and what does not fit.
    public convenience init(contentsOf url: URL) throws {
        let file = try ModelFile.read(from: url)
        guard file.architecture == CellClassifier.architecture else {
            throw TensorError.badFile(
                path: url.path,
                reason: "model architecture is '\(file.architecture)', expected '\(CellClassifier.architecture)'")
        }
        guard file.inputShape.count == 3, file.inputShape[0] == file.inputShape[1], file.inputShape[2] == 3,
            file.inputShape[0] >= 8
        else {
            throw TensorError.badFile(path: url.path, reason: "input_shape \(file.inputShape) is not [size, size, 3]")
        }
        let rate = Float(file.config["dropout"] ?? "0.3") ?? 0.3
        self.init(classNames: file.classNames, inputSize: file.inputShape[0], dropoutRate: rate)
        if let t = file.config["temperature"].flatMap(Float.init), t.isFinite, t > 0 { temperature = t }
        do {
            try network.load(stateDict: file.tensors)
            weightsDidChange()
        } catch {
            throw TensorError.badFile(
                path: url.path,
                reason:
                    "weights do not fit the \(CellClassifier.architecture) architecture with \(file.classNames.count) classes: \(error)"
            )
        }
    }

    /// Saves weights and metadata (architecture, classes, input size, preprocessing) in one file.
    public func save(to url: URL) throws {
        try ModelFile(
            architecture: CellClassifier.architecture,
            config: ["dropout": "\(dropoutRate)", "temperature": "\(temperature)"],
            classNames: classNames, inputShape: [inputSize, inputSize, 3],
            preprocessing: "RGB pixels 0-255, NHWC; the model rescales by 1/255",
            tensors: network.stateDict()
        ).write(to: url)
    }

    /// One prediction: class index, its name, softmax confidence and all probabilities.
    public struct Prediction: Sendable {
        public var index: Int
        public var className: String
        public var confidence: Float
        public var probabilities: [Float]

        public init(index: Int, className: String, confidence: Float, probabilities: [Float]) {
            self.index = index
            self.className = className
            self.confidence = confidence
            self.probabilities = probabilities
        }
    }

    private var plan: InferencePlan?

    /// Forgets the compiled inference plan; call after changing the weights in place.
    public func weightsDidChange() { plan = nil }

    /// Logits for a batch `[N, size, size, 3]` of 0–255 pixels, through the fused inference plan.
    public func logits(batch: Tensor) -> Tensor {
        if network.isTraining { network.eval() }
        if plan == nil { plan = InferencePlan(network) }
        return plan!(batch)
    }

    /// Classifies a batch `[N, size, size, 3]` of 0–255 pixels in one pass.
    public func predict(batch: Tensor) -> [Prediction] {
        let t = temperature
        let probs = GradMode.withoutGrad {
            t == 1 ? logits(batch: batch).softmax(axis: -1) : (logits(batch: batch) * (1 / t)).softmax(axis: -1)
        }
        let c = classNames.count
        return (0..<batch.shape[0]).map { i in
            let p = Array(UnsafeBufferPointer(start: probs.pointer + i * c, count: c))
            let k = p.indices.max { p[$0] < p[$1] } ?? 0
            return Prediction(index: k, className: classNames[k], confidence: p[k], probabilities: p)
        }
    }

    /// Classifies images; each must be `inputSize`×`inputSize` (an error names the index otherwise).
    public func predict(_ images: [Image]) throws -> [Prediction] {
        for (i, img) in images.enumerated() where img.width != inputSize || img.height != inputSize {
            throw ImagingError.invalidArgument(
                "image \(i) is \(img.width)x\(img.height); the model takes \(inputSize)x\(inputSize)")
        }
        guard !images.isEmpty else { return [] }
        return predict(batch: try LabeledImages.batch(images))
    }

    /// Accuracy and confusion matrix on labelled images.
    public func evaluate(_ data: LabeledImages, batchSize: Int = 256) -> ConfusionMatrix {
        var cm = ConfusionMatrix(classNames: classNames)
        var i = 0
        while i < data.count {
            let idx = Array(i..<Swift.min(data.count, i + batchSize))
            let sub = data.subset(idx)
            for (p, t) in zip(predict(batch: sub.images), sub.labels) { cm.add(truth: t, prediction: p.index) }
            i += batchSize
        }
        return cm
    }
}
