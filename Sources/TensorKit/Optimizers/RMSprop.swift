import Foundation

/// RMSprop with PyTorch's update rule (`torch.optim.RMSprop`): a running mean of squared
/// gradients `v = alpha·v + (1 − alpha)·g²` scales each step, `p -= lr · g / (√v + eps)`;
/// optionally centred (the running mean of the gradient is subtracted from `v`), with momentum
/// and L2 weight decay (added to the gradient).
///
/// PyTorch's defaults are `learningRate 0.01, alpha 0.99, epsilon 1e-8`; ``keras(parameters:)``
/// gives Keras's (`0.001, rho 0.9, 1e-7`, which the seed trained with).
public final class RMSprop: Optimizer {
    public var learningRate: Float
    /// Smoothing constant of the squared-gradient average (Keras calls it `rho`).
    public let alpha: Float
    public let epsilon: Float, weightDecay: Float, momentum: Float
    /// Subtracts the squared running mean of the gradient from the second moment.
    public let centered: Bool
    public let parameters: [Tensor]
    private var squareAverage: [Tensor], gradientAverage: [Tensor], buffer: [Tensor]
    public private(set) var steps = 0

    public init(
        parameters: [Tensor], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        squareAverage = parameters.map { Tensor(zeros: $0.shape) }
        gradientAverage = centered ? parameters.map { Tensor(zeros: $0.shape) } : []
        buffer = momentum != 0 ? parameters.map { Tensor(zeros: $0.shape) } : []
    }

    /// Keras's RMSprop defaults (learning rate 0.001, rho 0.9, epsilon 1e-7), as in the seed.
    public static func keras(parameters: [Tensor], learningRate: Float = 1e-3) -> RMSprop {
        RMSprop(parameters: parameters, learningRate: learningRate, alpha: 0.9, epsilon: 1e-7)
    }

    public func step() {
        steps += 1
        let lr = learningRate
        let a = alpha
        let eps = epsilon
        let wd = weightDecay
        let mom = momentum
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let n = p.count
            let pp = p.pointer
            let gp = g.pointer
            let vp = squareAverage[k].pointer
            if !centered && mom == 0 && wd == 0 {
                RMSprop.update(pp, gp, vp, n, a, lr, eps)
                continue
            }
            let ap = centered ? gradientAverage[k].pointer : nil
            let bp = mom != 0 ? buffer[k].pointer : nil
            for i in 0..<n {
                let gi = gp[i] + wd * pp[i]
                vp[i] = a * vp[i] + (1 - a) * gi * gi
                var denominator = vp[i]
                if let ap {
                    ap[i] = a * ap[i] + (1 - a) * gi
                    denominator -= ap[i] * ap[i]
                }
                let scaled = gi / (denominator.squareRoot() + eps)
                if let bp {
                    bp[i] = mom * bp[i] + scaled
                    pp[i] -= lr * bp[i]
                } else {
                    pp[i] -= lr * scaled
                }
            }
        }
    }

    /// The plain update (no centring, momentum or decay), 8 parameters at a time.
    static func update(
        _ pp: UnsafeMutablePointer<Float>, _ gp: UnsafePointer<Float>, _ vp: UnsafeMutablePointer<Float>, _ n: Int,
        _ a: Float, _ lr: Float, _ eps: Float
    ) {
        typealias V = SIMD8<Float>
        let av = V(repeating: a)
        let cv = V(repeating: 1 - a)
        let lv = V(repeating: lr)
        let ev = V(repeating: eps)
        var i = 0
        while i + 8 <= n {
            let g = UnsafeRawPointer(gp + i).loadUnaligned(as: V.self)
            let v = av * UnsafeRawPointer(vp + i).loadUnaligned(as: V.self) + cv * g * g
            UnsafeMutableRawPointer(vp + i).storeBytes(of: v, as: V.self)
            let p = UnsafeRawPointer(pp + i).loadUnaligned(as: V.self) - lv * g / (v.squareRoot() + ev)
            UnsafeMutableRawPointer(pp + i).storeBytes(of: p, as: V.self)
            i += 8
        }
        while i < n {
            let g = gp[i]
            vp[i] = a * vp[i] + (1 - a) * g * g
            pp[i] -= lr * g / (vp[i].squareRoot() + eps)
            i += 1
        }
    }

    public func zeroGrad() { for p in parameters { p.grad = nil } }
}
