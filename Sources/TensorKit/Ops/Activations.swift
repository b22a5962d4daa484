import Foundation

/// Element-wise activations, each with its derivative.
extension Tensor {
    /// Applies `f` to every element (no autodiff); `f` is inlined into a plain loop.
    @inline(__always)
    func mapped(_ f: (Float) -> Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let n = count
        let p = pointer
        let o = out.pointer
        for i in 0..<n { o[i] = f(p[i]) }
        return out
    }

    /// Element-wise `g * d(self)` for a derivative evaluated from the input `x` or the output `y`.
    @inline(__always)
    static func zipped(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor.uninitialized(a.shape)
        let n = a.count
        let pa = a.pointer
        let pb = b.pointer
        let o = out.pointer
        for i in 0..<n { o[i] = f(pa[i], pb[i]) }
        return out
    }

    /// max(x, 0).
    public func relu() -> Tensor {
        let out = mapped { Swift.max($0, 0) }
        return out.recording("relu", [self]) { g in [Tensor.zipped(g, self) { $1 > 0 ? $0 : 0 }] }
    }

    /// min(max(x, 0), 6).
    public func relu6() -> Tensor {
        let out = mapped { Swift.min(Swift.max($0, 0), 6) }
        return out.recording("relu6", [self]) { g in [Tensor.zipped(g, self) { $1 > 0 && $1 < 6 ? $0 : 0 }] }
    }

    /// 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        let out = mapped { 1 / (1 + Foundation.exp(-$0)) }
        let y = out.detachedView  // not `out`: its node would hold this closure, a retain cycle
        return out.recording("sigmoid", [self]) { g in [Tensor.zipped(g, y) { $0 * $1 * (1 - $1) }] }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let out = mapped { Foundation.tanh($0) }
        let y = out.detachedView
        return out.recording("tanh", [self]) { g in [Tensor.zipped(g, y) { $0 * (1 - $1 * $1) }] }
    }

    /// GELU: exact `x·Φ(x)` with the error function, or PyTorch's tanh approximation.
    public func gelu(approximateTanh: Bool = false) -> Tensor {
        let c = Float(0.7978845608028654)  // sqrt(2/pi)
        if approximateTanh {
            let out = mapped { x in 0.5 * x * (1 + Foundation.tanh(c * (x + 0.044715 * x * x * x))) }
            return out.recording("gelu_tanh", [self]) { g in
                [
                    Tensor.zipped(g, self) { gi, x in
                        let u = c * (x + 0.044715 * x * x * x)
                        let t = Foundation.tanh(u)
                        return gi * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))
                    }
                ]
            }
        }
        let out = mapped { x in 0.5 * x * (1 + Foundation.erf(x / 1.4142135623730951)) }
        return out.recording("gelu", [self]) { g in
            [
                Tensor.zipped(g, self) { gi, x in
                    gi
                        * (0.5 * (1 + Foundation.erf(x / 1.4142135623730951)) + x * Foundation.exp(-0.5 * x * x)
                            * 0.3989422804014327)
                }
            ]
        }
    }

    /// e^x.
    public func exp() -> Tensor {
        let out = mapped { Foundation.exp($0) }
        let y = out.detachedView
        return out.recording("exp", [self]) { g in [g * y] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let out = mapped { Foundation.log($0) }
        return out.recording("log", [self]) { g in [g / self] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let out = mapped { $0.squareRoot() }
        let y = out.detachedView
        return out.recording("sqrt", [self]) { g in [Tensor.zipped(g, y) { $0 * 0.5 / $1 }] }
    }

    /// x raised to a constant power.
    public func pow(_ e: Float) -> Tensor {
        let out = mapped { Foundation.pow($0, e) }
        return out.recording("pow", [self]) { g in [Tensor.zipped(g, self) { $0 * e * Foundation.pow($1, e - 1) }] }
    }

    /// |x| (gradient sign(x), 0 at 0).
    public func abs() -> Tensor {
        let out = mapped { Swift.abs($0) }
        return out.recording("abs", [self]) { g in [Tensor.zipped(g, self) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }] }
    }

    /// Clamps into [low, high]; the gradient passes where the input is inside.
    public func clamped(min low: Float, max high: Float) -> Tensor {
        let out = mapped { Swift.min(Swift.max($0, low), high) }
        return out.recording("clamp", [self]) { g in [Tensor.zipped(g, self) { $1 >= low && $1 <= high ? $0 : 0 }] }
    }
}

extension Tensor {
    /// The same values (shared storage) without autodiff history: what a backward closure may
    /// keep of its own output (keeping the output itself would be a retain cycle through its
    /// node, and every training step would leak its graph).
    var detachedView: Tensor { Tensor(shape: shape, storage: storage) }
}
