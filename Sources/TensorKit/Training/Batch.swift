/// One mini-batch: inputs and integer class labels (with optional per-sample weights).
public struct Batch {
    public var inputs: Tensor
    public var labels: [Int]
    /// Per-sample loss weights (1 = normal, 0 = masked out); nil means all ones.
    public var weights: [Float]?

    public init(inputs: Tensor, labels: [Int], weights: [Float]? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.weights = weights
    }
}
