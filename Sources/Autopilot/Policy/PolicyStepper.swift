import Foundation
import Imaging
import Recording
import TensorKit

/// Turns a stream of frames into key probabilities, one step per frame, as in training: the
/// window holds the last `windowLength` frames, newest last, zero frames before the first.
///
/// By default each frame is encoded once and its features kept in a rolling window, so a step
/// costs one encoder pass plus the recurrent part. ``Mode/reencodeWindow`` is the seed's
/// behaviour (a rolling window of frames, the whole network on all of them every step); for a
/// per-frame encoder both give the same outputs.
public final class PolicyStepper {
    public enum Mode: String, Sendable, CaseIterable {
        /// Each frame encoded once; features reused across windows.
        case cachedFeatures = "cached"
        /// The original autopilot's way: every step re-encodes the whole window of frames.
        case reencodeWindow = "window"
    }

    public let network: any PolicyNetwork
    public let mode: Mode
    let preprocessing: FramePreprocessing
    /// Rolling buffers: features `[T, F]` or frames `[T, H, W, 3]`, oldest first.
    private var features: [Float]
    private var frames: [Float]
    private let input: Tensor
    /// Steps taken.
    public private(set) var steps = 0

    public init(network: any PolicyNetwork, mode: Mode = .cachedFeatures) {
        self.network = network
        self.mode = mode
        preprocessing = network.preprocessing
        let p = preprocessing
        input = Tensor(zeros: [1, p.height, p.width, 3])
        network.eval()
        if mode == .cachedFeatures {
            // Before the first frame the window holds zero frames, encoded as such (as in training).
            let zero = GradMode.withoutGrad { network.encode(Tensor(zeros: [1, p.height, p.width, 3])) }
            features = Array(repeating: zero.scalars, count: p.windowLength).flatMap { $0 }
            frames = []
        } else {
            features = []
            frames = [Float](repeating: 0, count: p.windowLength * p.valuesPerFrame)
        }
    }

    /// Feeds one captured frame (RGB or RGBA, any size) and returns each key's probability.
    public func step(_ image: Image) -> [Float] {
        steps += 1
        let p = preprocessing
        let t = p.windowLength
        return GradMode.withoutGrad {
            let logits: Tensor
            switch mode {
            case .cachedFeatures:
                p.apply(image, into: input.pointer)
                let f = network.encode(input)
                let n = network.featureCount
                features.removeFirst(n)
                features.append(contentsOf: UnsafeBufferPointer(start: f.pointer, count: n))
                logits = network.keyLogits(features: Tensor(shape: [1, t, n], scalars: features))
            case .reencodeWindow:
                let per = p.valuesPerFrame
                frames.withUnsafeMutableBufferPointer { b in
                    let base = b.baseAddress!
                    base.update(from: base + per, count: (t - 1) * per)
                    p.apply(image, into: base + (t - 1) * per)
                }
                logits = network(Tensor(shape: [1, t, p.height, p.width, 3], scalars: frames))
            }
            return logits.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
        }
    }
}
