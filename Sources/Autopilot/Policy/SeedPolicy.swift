import Foundation
import Recording
import TensorKit

/// The seed's network (reference §8.2): each frame of the window, 96×96 in [-1, 1], through
/// MobileNetV2 (alpha 1, global average pooling), then LSTM(128) over the sequence, LSTM(128)
/// keeping the last state, and Dense(4) giving one logit per key (the seed's sigmoid is applied
/// by whoever reads the probabilities). 3,111,492 values at 96×96, as Keras counts them.
///
/// The encoder is frozen by default, as in the seed (no gradients, batch norm in inference mode
/// even while training); `trainableEncoder: true` trains it end to end. In evaluation mode
/// ``encode(_:)`` runs ``MobileNetV2Plan`` (batch norm folded, fused kernels) and
/// ``keyLogits(features:)`` ``LSTMPlan``, recording no gradients (a frozen encoder runs its plan
/// in training too); plans are rebuilt after training mode, or on ``invalidateInferencePlans()``
/// after weights are changed by hand.
///
/// The LSTMs follow Keras's semantics in PyTorch's layout: gates i, f, c (g), o, sigmoid
/// recurrent activation, tanh, and Keras's unit forget bias at initialisation (`bias_ih` of the
/// forget gate 1, the rest 0). Keras weights convert by transposing (`tools/keras_to_pixelpilot.py`).
public final class SeedPolicy: Module, PolicyNetwork {
    public let encoder: MobileNetV2
    public let lstm1: LSTM
    public let lstm2: LSTM
    public let output: Linear

    public let preprocessing: FramePreprocessing
    public let keyNames: [String]
    /// Whether ``encoder`` trains (false: frozen, as in the seed).
    public let trainableEncoder: Bool

    private var encoderPlan: MobileNetV2Plan?
    private var recurrentPlan: LSTMPlan?

    /// The architecture name in model files.
    public static let architecture = "pixelpilot.seed-policy"
    /// The seed's keys: the four arrows, in its output order (the seed recordings' key columns).
    public static var seedKeys: [String] { RecordingFingerprint.seedKeys }
    /// Hidden units of each LSTM.
    public static let hiddenSize = 128

    /// - Parameters:
    ///   - frameSize: side of the square frames the encoder sees (the seed: 96).
    ///   - windowLength: frames per window (the seed: 20).
    public init(
        keyNames: [String] = SeedPolicy.seedKeys, frameSize: Int = 96, windowLength: Int = 20,
        trainableEncoder: Bool = false, seed: UInt64 = 0
    ) {
        precondition(!keyNames.isEmpty, "a policy needs at least one key")
        self.keyNames = keyNames
        self.trainableEncoder = trainableEncoder
        preprocessing = FramePreprocessing(
            width: frameSize, height: frameSize, scale: 1 / 127.5, offset: -1, windowLength: windowLength)
        encoder = MobileNetV2(alpha: 1, seed: seed &+ 1)
        let h = SeedPolicy.hiddenSize
        lstm1 = LSTM(inputSize: encoder.featureCount, hiddenSize: h, seed: seed &+ 2)
        lstm2 = LSTM(inputSize: h, hiddenSize: h, seed: seed &+ 3)
        output = Linear.glorot(h, keyNames.count, seed: seed &+ 4)
        super.init()
        for l in [lstm1, lstm2] {
            let w = l.weights[0]
            w.bih.fill(0)
            w.bhh.fill(0)
            (w.bih.pointer + h).update(repeating: 1, count: h)
        }
        if !trainableEncoder { encoder.freeze() }
        encoder.eval()
    }

    public var featureCount: Int { encoder.featureCount }

    /// Keeps a frozen encoder in evaluation mode; leaving training mode rebuilds the fast plans.
    public override func train(_ on: Bool = true) {
        super.train(on)
        if !trainableEncoder { encoder.eval() }
        if trainableEncoder { encoderPlan = nil }
        recurrentPlan = nil
    }

    /// Drops the fused inference plans (call after changing weights outside training mode).
    public func invalidateInferencePlans() {
        encoderPlan = nil
        recurrentPlan = nil
    }

    public func encode(_ frames: Tensor) -> Tensor {
        precondition(
            frames.rank == 4 && frames.shape[3] == 3,
            "SeedPolicy.encode expects preprocessed frames [N, H, W, 3], got \(frames.shape)")
        // Evaluation mode, or a frozen encoder (its features are constants): the fused plan.
        if !encoder.isTraining && !frames.requiresGrad {
            if encoderPlan == nil { encoderPlan = MobileNetV2Plan(encoder) }
            return encoderPlan!(frames)
        }
        return encoder(frames)
    }

    public func keyLogits(features: Tensor) -> Tensor {
        precondition(
            features.rank == 3 && features.shape[2] == featureCount,
            "SeedPolicy.keyLogits expects features [B, T, \(featureCount)], got \(features.shape)")
        if !isTraining && !features.requiresGrad {
            if recurrentPlan == nil { recurrentPlan = LSTMPlan(layers: [lstm1, lstm2], output: output) }
            return recurrentPlan!(features)
        }
        let seq = lstm1(features).output
        let last = lstm2(seq).h.reshaped([features.shape[0], SeedPolicy.hiddenSize])
        return output(last)
    }

    public func callAsFunction(_ windows: Tensor) -> Tensor { logitsByEncodingEachFrame(windows) }
}

extension SeedPolicy {
    /// The model file: weights (with batch-norm statistics) and everything play needs.
    public func modelFile(fps: Int) -> ModelFile {
        let p = preprocessing
        return ModelFile(
            architecture: SeedPolicy.architecture,
            config: [
                "fps": "\(fps)", "frame_width": "\(p.width)", "frame_height": "\(p.height)",
                "window_length": "\(p.windowLength)", "trainable_encoder": "\(trainableEncoder)",
                "encoder": "mobilenet_v2_alpha_1.0", "hidden_size": "\(SeedPolicy.hiddenSize)",
            ],
            classNames: keyNames, inputShape: [p.windowLength, p.height, p.width, 3], preprocessing: p.encoded,
            tensors: stateDict())
    }

    /// Frames per second the model was trained at, from a model file's metadata.
    public static func fps(of file: ModelFile) -> Int? { file.config["fps"].flatMap { Int($0) } }

    /// Rebuilds a policy from ``modelFile(fps:)``'s output (or `tools/keras_to_pixelpilot.py`'s).
    /// `path` names the file in errors.
    public convenience init(modelFile file: ModelFile, path: String = "model") throws {
        guard file.architecture == SeedPolicy.architecture else {
            throw TensorError.badFile(
                path: path, reason: "architecture is '\(file.architecture)', not '\(SeedPolicy.architecture)'")
        }
        guard let p = FramePreprocessing(encoded: file.preprocessing) else {
            throw TensorError.badFile(path: path, reason: "metadata 'preprocessing' is not a frame preprocessing")
        }
        guard p.width == p.height, p.width >= 32 else {
            throw TensorError.badFile(
                path: path, reason: "frames must be square and at least 32 px, got \(p.width)x\(p.height)")
        }
        guard abs(p.scale - 1 / 127.5) < 1e-7, abs(p.offset + 1) < 1e-6 else {
            throw TensorError.badFile(
                path: path,
                reason:
                    "the seed's network takes pixels scaled to [-1, 1], the file says scale \(p.scale) offset \(p.offset)"
            )
        }
        self.init(
            keyNames: file.classNames, frameSize: p.width, windowLength: p.windowLength,
            trainableEncoder: file.config["trainable_encoder"] == "true")
        do {
            try load(stateDict: file.tensors)
        } catch {
            throw TensorError.badFile(path: path, reason: "weights do not fit the seed's network: \(error)")
        }
        invalidateInferencePlans()
    }
}
