/// Finite-difference checks of analytic gradients.
public enum GradientCheck {
    /// The result of one check: the worst disagreement found.
    public struct Report: CustomStringConvertible {
        /// Largest `|analytic - numeric| / max(1, |analytic|, |numeric|)` over all checked elements.
        public var maxError: Float
        /// Where it happened: input index and flat element index.
        public var worst: (input: Int, element: Int)
        public var description: String { "max error \(maxError) at input \(worst.input) element \(worst.element)" }
    }

    /// Compares the gradient of `sum(f(inputs) * w)` for a fixed random weight `w` against central
    /// differences with step `epsilon`. At most `maxElements` elements per input are probed.
    public static func check(
        _ inputs: [Tensor], epsilon: Float = 1e-2, maxElements: Int = 64, seed: UInt64 = 7,
        _ f: ([Tensor]) -> Tensor
    ) -> Report {
        for t in inputs {
            t.requiresGrad = true
            t.grad = nil
        }
        let probe = f(inputs)
        var rng = SeededGenerator(seed: seed)
        let w = Tensor.uniform(probe.shape, low: -1, high: 1, using: &rng)
        func objective() -> Double {
            GradMode.withoutGrad {
                let y = f(inputs)
                var s = 0.0
                for i in 0..<y.count { s += Double(y.pointer[i]) * Double(w.pointer[i]) }
                return s
            }
        }
        (probe * w).sum().backward()
        var report = Report(maxError: 0, worst: (0, 0))
        for (k, x) in inputs.enumerated() {
            let grad = x.grad ?? Tensor(zeros: x.shape)
            let stride = Swift.max(1, x.count / maxElements)
            var i = 0
            while i < x.count {
                let old = x.pointer[i]
                x.pointer[i] = old + epsilon
                let up = objective()
                x.pointer[i] = old - epsilon
                let down = objective()
                x.pointer[i] = old
                let numeric = Float((up - down) / (2 * Double(epsilon)))
                let analytic = grad.pointer[i]
                let err = Swift.abs(analytic - numeric) / Swift.max(1, Swift.abs(analytic), Swift.abs(numeric))
                if err > report.maxError { report = Report(maxError: err, worst: (k, i)) }
                i += stride
            }
        }
        return report
    }
}
