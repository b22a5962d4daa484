import Foundation

/// An exponential moving average of a module's weights (Polyak averaging, as timm's `ModelEmaV2`
/// and TensorFlow's `ExponentialMovingAverage` keep it): after every optimizer step,
/// `average ← d · average + (1 − d) · weight`. The averaged weights usually generalise better
/// than the last step's, at no cost to training; evaluate and save them with ``averages``.
///
/// The decay warms up as TensorFlow's does with `num_updates`: update `n` (1-based) uses
/// `min(decay, (1 + n) / (10 + n))`, so early averages are not dominated by the initial weights.
public final class ExponentialMovingAverage {
    /// The decay `d` once warmed up (e.g. 0.998: the average's memory is about 500 steps).
    public let decay: Float
    /// The averaged tensors, by the module's state-dict keys (parameters and buffers).
    public let averages: [String: Tensor]
    private let pairs: [(live: Tensor, average: Tensor)]
    /// How many updates have been made.
    public private(set) var updates = 0

    /// Starts the average at `module`'s current weights.
    public init(of module: Module, decay: Float) {
        precondition(decay > 0 && decay < 1, "the decay must be in (0, 1)")
        self.decay = decay
        let live = module.stateDict()
        var averages: [String: Tensor] = [:]
        var pairs: [(live: Tensor, average: Tensor)] = []
        for key in live.keys.sorted() {
            let copy = live[key]!.copy()
            averages[key] = copy
            pairs.append((live[key]!, copy))
        }
        self.averages = averages
        self.pairs = pairs
    }

    /// The decay update number `updates + 1` uses.
    public var currentDecay: Float { Swift.min(decay, Float(1 + updates + 1) / Float(10 + updates + 1)) }

    /// Folds the module's current weights into the average (call after each optimizer step).
    public func update() {
        let d = currentDecay
        updates += 1
        for (live, average) in pairs {
            // a ← d·a + (1 − d)·w, as two BLAS calls over the whole tensor.
            Kernels.scale(average.pointer, d, average.count)
            Kernels.axpy(1 - d, live.pointer, average.pointer, live.count)
        }
    }
}
