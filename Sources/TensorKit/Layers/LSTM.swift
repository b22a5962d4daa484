/// A multi-layer LSTM over batch-first sequences `[N, T, F]`, with PyTorch's parameters
/// (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, …) and gate order i, f, g, o.
public final class LSTM: Module {
    public let inputSize: Int, hiddenSize: Int, layerCount: Int
    /// Per layer: weightIH `[4H, in]`, weightHH `[4H, H]`, biasIH `[4H]`, biasHH `[4H]`.
    public let weights: [(ih: Tensor, hh: Tensor, bih: Tensor, bhh: Tensor)]

    /// Weights uniform in ±1/√hidden, as PyTorch initialises them.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, seed: UInt64 = 0) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        var rng = SeededGenerator(seed: seed)
        let k = 1 / Float(hiddenSize).squareRoot()
        weights = (0..<layerCount).map { l in
            let inF = l == 0 ? inputSize : hiddenSize
            return (
                Tensor.uniform([4 * hiddenSize, inF], low: -k, high: k, using: &rng, requiresGrad: true),
                Tensor.uniform([4 * hiddenSize, hiddenSize], low: -k, high: k, using: &rng, requiresGrad: true),
                Tensor.uniform([4 * hiddenSize], low: -k, high: k, using: &rng, requiresGrad: true),
                Tensor.uniform([4 * hiddenSize], low: -k, high: k, using: &rng, requiresGrad: true)
            )
        }
        super.init()
    }

    public override func ownParameters() -> [(String, Tensor)] {
        weights.enumerated().flatMap { l, w in
            [("weight_ih_l\(l)", w.ih), ("weight_hh_l\(l)", w.hh), ("bias_ih_l\(l)", w.bih), ("bias_hh_l\(l)", w.bhh)]
        }
    }

    /// Runs the sequence. Returns the last layer's outputs `[N, T, H]` and the final `h`, `c`
    /// of every layer (`[layers, N, H]` each). Initial states are zero unless given.
    public func callAsFunction(
        _ x: Tensor, initial: (h: Tensor, c: Tensor)? = nil
    ) -> (output: Tensor, h: Tensor, c: Tensor) {
        precondition(x.rank == 3 && x.shape[2] == inputSize, "LSTM expects [N, T, \(inputSize)], got \(x.shape)")
        let n = x.shape[0]
        let t = x.shape[1]
        let hsz = hiddenSize
        var layerInput = x
        var finalH: [Tensor] = []
        var finalC: [Tensor] = []
        for (l, w) in weights.enumerated() {
            let inF = layerInput.shape[2]
            // One GEMM for the input projection of every time step.
            let projected =
                (Tensor.matmul(layerInput.reshaped([n * t, inF]), w.ih, transA: false, transB: true) + w.bih + w.bhh)
                .reshaped([n, t, 4 * hsz])
            var h = initial.map { $0.h.slice(axis: 0, l..<(l + 1)).reshaped([n, hsz]) } ?? Tensor(zeros: [n, hsz])
            var c = initial.map { $0.c.slice(axis: 0, l..<(l + 1)).reshaped([n, hsz]) } ?? Tensor(zeros: [n, hsz])
            var outputs: [Tensor] = []
            for step in 0..<t {
                let gates =
                    projected.slice(axis: 1, step..<(step + 1)).reshaped([n, 4 * hsz])
                    + Tensor.matmul(h, w.hh, transA: false, transB: true)
                let i = gates.slice(axis: 1, 0..<hsz).sigmoid()
                let f = gates.slice(axis: 1, hsz..<(2 * hsz)).sigmoid()
                let g = gates.slice(axis: 1, (2 * hsz)..<(3 * hsz)).tanh()
                let o = gates.slice(axis: 1, (3 * hsz)..<(4 * hsz)).sigmoid()
                c = f * c + i * g
                h = o * c.tanh()
                outputs.append(h)
            }
            finalH.append(h)
            finalC.append(c)
            layerInput = Tensor.stack(outputs, axis: 1)
        }
        return (layerInput, Tensor.stack(finalH, axis: 0), Tensor.stack(finalC, axis: 0))
    }
}
