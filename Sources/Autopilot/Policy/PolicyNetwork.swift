import Recording
import TensorKit

/// An imitation policy: a per-frame encoder followed by a recurrent part over a window of frames,
/// giving an independent probability for each key (multi-label).
///
/// The split is what makes real-time play cheap: the encoder sees each frame once
/// (``encode(_:)``), the rolling window keeps the features, and each step runs only
/// ``keyLogits(features:)`` over the window. ``callAsFunction(_:)`` is the whole network on raw
/// windows, for training and for the exact seed behaviour; for a per-frame encoder the two give
/// the same outputs.
public protocol PolicyNetwork: Module {
    /// How a frame becomes input (size, scale, window length); stored in the model file.
    var preprocessing: FramePreprocessing { get }
    /// The keys the outputs stand for, in output order (X keysym names, as in recordings).
    var keyNames: [String] { get }
    /// Floats per encoded frame.
    var featureCount: Int { get }
    /// Encodes frames `[N, H, W, 3]` (already preprocessed) into features `[N, featureCount]`.
    func encode(_ frames: Tensor) -> Tensor
    /// Key logits `[B, keys]` for windows of features `[B, T, featureCount]`, newest frame last.
    func keyLogits(features: Tensor) -> Tensor
    /// Key logits `[B, keys]` for windows of frames `[B, T, H, W, 3]`: the whole network.
    func callAsFunction(_ windows: Tensor) -> Tensor
}

extension PolicyNetwork {
    /// The whole network as encoder then recurrent part (what a per-frame encoder means).
    public func logitsByEncodingEachFrame(_ windows: Tensor) -> Tensor {
        let s = windows.shape
        precondition(s.count == 5, "policy input must be [B, T, H, W, 3], got \(s)")
        let features = encode(windows.reshaped([s[0] * s[1], s[2], s[3], s[4]]))
        return keyLogits(features: features.reshaped([s[0], s[1], featureCount]))
    }
}
