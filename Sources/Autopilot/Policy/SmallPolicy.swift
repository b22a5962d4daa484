import Foundation
import Recording
import TensorKit

/// The default imitation policy, small enough to learn from a few minutes of driving on two
/// cores and to run a play step in about a millisecond: a compact CNN encodes each frame
/// (four 3×3 stride-2 convolutions with ReLU, then a dense layer to ``featureCount`` features),
/// an LSTM reads the window of features, and a dense layer gives one logit per key
/// (independent sigmoids: any set of keys can be held at once).
///
/// Its size was chosen by measurement (README, BENCHMARKS.md): 64×48 frames, channels
/// 16-32-32-32, 64 features and an LSTM of 32.
public final class SmallPolicy: Module, PolicyNetwork {
    /// The shape of the network (stored in the model file).
    public struct Configuration: Codable, Sendable, Equatable {
        public var channels: [Int]
        public var featureCount: Int
        public var hiddenSize: Int
        public init(channels: [Int] = [16, 32, 32, 32], featureCount: Int = 64, hiddenSize: Int = 32) {
            self.channels = channels
            self.featureCount = featureCount
            self.hiddenSize = hiddenSize
        }
    }

    public let configuration: Configuration
    public let preprocessing: FramePreprocessing
    public let keyNames: [String]
    let convs: [Conv2D]
    let project: Linear
    let lstm: LSTM
    let head: Linear
    /// Spatial size after the convolutions.
    let encodedHeight: Int, encodedWidth: Int

    public init(
        preprocessing: FramePreprocessing, keyNames: [String], configuration: Configuration = Configuration(),
        seed: UInt64 = 0
    ) {
        precondition(!keyNames.isEmpty, "a policy needs at least one key")
        precondition(!configuration.channels.isEmpty, "a policy encoder needs at least one convolution")
        self.configuration = configuration
        self.preprocessing = preprocessing
        self.keyNames = keyNames
        var convs: [Conv2D] = []
        var inC = 3
        var h = preprocessing.height
        var w = preprocessing.width
        for (i, c) in configuration.channels.enumerated() {
            convs.append(Conv2D(inC, c, kernelSize: 3, stride: 2, padding: .same, seed: seed &+ UInt64(i) &* 7919))
            inC = c
            h = (h + 1) / 2
            w = (w + 1) / 2
        }
        self.convs = convs
        encodedHeight = h
        encodedWidth = w
        project = Linear(h * w * inC, configuration.featureCount, seed: seed &+ 101)
        lstm = LSTM(inputSize: configuration.featureCount, hiddenSize: configuration.hiddenSize, seed: seed &+ 202)
        head = Linear(configuration.hiddenSize, keyNames.count, seed: seed &+ 303)
        super.init()
        // He-uniform weights for the ReLU layers (bound sqrt(6 / fan-in), PyTorch's default times
        // sqrt(6)): activations keep their scale through the encoder, so it learns from the start.
        for layer in convs.map(\.weight) + [project.weight] {
            Kernels.scale(layer.pointer, Float(6).squareRoot(), layer.count)
        }
        // Keras's LSTM starts with a forget-gate bias of 1 (it remembers by default).
        let hsz = configuration.hiddenSize
        for (_, p) in lstm.namedParameters() where p.rank == 1 {
            for i in hsz..<(2 * hsz) { p.pointer[i] = 0.5 }
        }
    }

    public var featureCount: Int { configuration.featureCount }

    public func encode(_ frames: Tensor) -> Tensor {
        precondition(
            frames.rank == 4 && frames.shape[1] == preprocessing.height && frames.shape[2] == preprocessing.width,
            "policy frames must be [N, \(preprocessing.height), \(preprocessing.width), 3], got \(frames.shape)")
        var x = frames
        for conv in convs { x = conv(x).relu() }
        return project(x.reshaped([frames.shape[0], x.count / frames.shape[0]])).relu()
    }

    public func keyLogits(features: Tensor) -> Tensor {
        precondition(
            features.rank == 3 && features.shape[2] == featureCount, "features must be [B, T, \(featureCount)]")
        let (_, h, _) = lstm(features)
        // The last layer's final state: [layers, B, H] -> [B, H].
        let last = h.slice(axis: 0, (lstm.layerCount - 1)..<lstm.layerCount).reshaped([
            features.shape[0], lstm.hiddenSize,
        ])
        return head(last)
    }

    public func callAsFunction(_ windows: Tensor) -> Tensor { logitsByEncodingEachFrame(windows) }

    /// Multiply-adds of one frame's encoding.
    public var encoderMultiplyAdds: Int {
        var h = preprocessing.height
        var w = preprocessing.width
        var inC = 3
        var total = 0
        for c in configuration.channels {
            h = (h + 1) / 2
            w = (w + 1) / 2
            total += h * w * c * inC * 9
            inC = c
        }
        return total + h * w * inC * featureCount
    }
}
