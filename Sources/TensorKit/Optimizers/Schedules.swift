import Foundation

/// A learning rate as a function of the optimizer step (0-based).
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// Multiplies the rate by `gamma` every `stepSize` steps (PyTorch `StepLR`).
public struct StepSchedule: LearningRateSchedule {
    public var initial: Float, stepSize: Int, gamma: Float
    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "step size must be positive")
        self.initial = initial
        self.stepSize = stepSize
        self.gamma = gamma
    }
    public func learningRate(at step: Int) -> Float { initial * Foundation.pow(gamma, Float(step / stepSize)) }
}

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then cosine decay to `minimum` at `totalSteps`.
public struct CosineWithWarmup: LearningRateSchedule {
    public var peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float
    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0) {
        precondition(totalSteps > warmupSteps && warmupSteps >= 0, "need totalSteps > warmupSteps >= 0")
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimum = minimum
    }
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        return decayedRate(progress: Float(step - warmupSteps) / Float(totalSteps - warmupSteps))
    }

    /// The rate at `progress` (0 to 1, clamped) through the cosine decay after warm-up: `peak` at 0,
    /// `minimum` at 1. For runs measured in time rather than steps (progress = elapsed / limit).
    public func decayedRate(progress: Float) -> Float {
        let p = Swift.min(1, Swift.max(0, progress))
        return minimum + (peak - minimum) * 0.5 * (1 + Foundation.cos(Float.pi * p))
    }
}

/// Gradient clipping.
public enum GradientClipping {
    /// Scales all gradients so their global L2 norm is at most `maxNorm` (like
    /// `torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
        var total: Double = 0
        for p in parameters {
            if let g = p.grad { for i in 0..<g.count { total += Double(g.pointer[i]) * Double(g.pointer[i]) } }
        }
        let norm = Float(total.squareRoot())
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            for p in parameters { if let g = p.grad { Kernels.scale(g.pointer, coefficient, g.count) } }
        }
        return norm
    }

    /// Clamps every gradient element into [-limit, limit].
    public static func clipValue(_ parameters: [Tensor], limit: Float) {
        for p in parameters {
            if let g = p.grad {
                for i in 0..<g.count { g.pointer[i] = Swift.min(Swift.max(g.pointer[i], -limit), limit) }
            }
        }
    }
}
