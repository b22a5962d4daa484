import Foundation

/// Adam (Kingma & Ba), with PyTorch's update rule; `decoupledWeightDecay` turns it into AdamW.
/// Keras's Adam is the same with `epsilon: 1e-7`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    /// L2 penalty added to the gradient (Adam) or decoupled decay of the weights (AdamW).
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    public let parameters: [Tensor]
    private var m: [Tensor], v: [Tensor]
    public private(set) var steps = 0

    public init(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        m = parameters.map { Tensor(zeros: $0.shape) }
        v = parameters.map { Tensor(zeros: $0.shape) }
    }

    public func step() {
        steps += 1
        let bc1 = 1 - Foundation.pow(beta1, Float(steps))
        let bc2 = 1 - Foundation.pow(beta2, Float(steps))
        let lr = learningRate
        let b1 = beta1
        let b2 = beta2
        let eps = epsilon
        let wd = weightDecay
        let stepSize = lr / bc1
        let bc2Root = bc2.squareRoot()
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let n = p.count
            let pp = p.pointer
            let gp = g.pointer
            let mp = m[k].pointer
            let vp = v[k].pointer
            let decoupled = decoupledWeightDecay
            if wd == 0 {
                Adam.update(pp, gp, mp, vp, n, b1, b2, stepSize, bc2Root, eps)
                continue
            }
            for i in 0..<n {
                var gi = gp[i]
                if decoupled { pp[i] -= lr * wd * pp[i] } else { gi += wd * pp[i] }
                mp[i] = b1 * mp[i] + (1 - b1) * gi
                vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                pp[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Root + eps)
            }
        }
    }

    /// The Adam update without weight decay, 8 parameters at a time.
    static func update(
        _ pp: UnsafeMutablePointer<Float>, _ gp: UnsafePointer<Float>, _ mp: UnsafeMutablePointer<Float>,
        _ vp: UnsafeMutablePointer<Float>, _ n: Int, _ b1: Float, _ b2: Float,
        _ stepSize: Float, _ bc2Root: Float, _ eps: Float
    ) {
        typealias V = SIMD8<Float>
        let b1v = V(repeating: b1)
        let b2v = V(repeating: b2)
        let c1 = V(repeating: 1 - b1)
        let c2 = V(repeating: 1 - b2)
        let sv = V(repeating: stepSize)
        let rv = V(repeating: 1 / bc2Root)
        let ev = V(repeating: eps)
        var i = 0
        while i + 8 <= n {
            let g = UnsafeRawPointer(gp + i).loadUnaligned(as: V.self)
            let m = b1v * UnsafeRawPointer(mp + i).loadUnaligned(as: V.self) + c1 * g
            let v = b2v * UnsafeRawPointer(vp + i).loadUnaligned(as: V.self) + c2 * g * g
            UnsafeMutableRawPointer(mp + i).storeBytes(of: m, as: V.self)
            UnsafeMutableRawPointer(vp + i).storeBytes(of: v, as: V.self)
            let p = UnsafeRawPointer(pp + i).loadUnaligned(as: V.self) - sv * m / (v.squareRoot() * rv + ev)
            UnsafeMutableRawPointer(pp + i).storeBytes(of: p, as: V.self)
            i += 8
        }
        while i < n {
            let g = gp[i]
            mp[i] = b1 * mp[i] + (1 - b1) * g
            vp[i] = b2 * vp[i] + (1 - b2) * g * g
            pp[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Root + eps)
            i += 1
        }
    }

    public func zeroGrad() { for p in parameters { p.grad = nil } }
}

extension Adam {
    /// AdamW: Adam with decoupled weight decay (PyTorch's default decay 0.01).
    public static func adamW(
        parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) -> Adam {
        Adam(
            parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}

/// Stochastic gradient descent with optional momentum (PyTorch's formulation), Nesterov and
/// L2 weight decay.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    public let parameters: [Tensor]
    private var velocity: [Tensor?]

    public init(
        parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        for (k, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let n = p.count
            let pp = p.pointer
            let gp = g.pointer
            let d = Tensor.uninitialized(p.shape)
            let dp = d.pointer
            for i in 0..<n { dp[i] = gp[i] + weightDecay * pp[i] }
            if momentum != 0 {
                if let buf = velocity[k] {
                    let bp = buf.pointer
                    for i in 0..<n { bp[i] = momentum * bp[i] + dp[i] }
                } else {
                    velocity[k] = d.copy()
                }
                let bp = velocity[k]!.pointer
                if nesterov { for i in 0..<n { dp[i] += momentum * bp[i] } } else { for i in 0..<n { dp[i] = bp[i] } }
            }
            for i in 0..<n { pp[i] -= learningRate * dp[i] }
        }
    }

    public func zeroGrad() { for p in parameters { p.grad = nil } }
}
