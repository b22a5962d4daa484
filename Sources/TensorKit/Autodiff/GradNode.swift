/// One recorded operation in the autodiff graph: its inputs and how to turn the gradient of its
/// output into gradients of those inputs.
final class GradNode {
    let inputs: [Tensor]
    /// Given the output gradient, returns one gradient per input (nil where an input needs none).
    let backward: (Tensor) -> [Tensor?]
    let name: String

    init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// True when an operation on `inputs` must be recorded.
    static func needsGrad(_ inputs: Tensor...) -> Bool {
        guard GradMode.isEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    static func needsGrad(_ inputs: [Tensor]) -> Bool {
        guard GradMode.isEnabled else { return false }
        for t in inputs where t.requiresGrad { return true }
        return false
    }

    /// Marks `self` as the output of an op on `inputs`, when recording is needed.
    /// Returns `self` for chaining.
    @discardableResult
    func recording(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        if Tensor.needsGrad(inputs) {
            requiresGrad = true
            node = GradNode(name: name, inputs: inputs, backward: backward)
        }
        return self
    }

    /// Back-propagates from this tensor. For a non-scalar, `seed` gives the output gradient
    /// (ones by default). Accumulates into ``grad`` of every leaf that requires a gradient.
    public func backward(seed: Tensor? = nil) {
        let g0 = seed ?? Tensor(shape: shape, repeating: 1)
        precondition(g0.shape == shape, "backward seed \(g0.shape) does not match \(shape)")
        // Topological order by iterative DFS.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded {
                order.append(t)
                continue
            }
            let id = ObjectIdentifier(t)
            if visited.contains(id) { continue }
            visited.insert(id)
            stack.append((t, true))
            if let node = t.node {
                for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
                    stack.append((input, false))
                }
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): g0]
        for t in order.reversed() {
            guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                // A leaf: accumulate.
                if let existing = t.grad { existing.addInPlace(g) } else { t.grad = g.copy().reshapedView(t.shape) }
                continue
            }
            let inputGrads = node.backward(g)
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard let ig, input.requiresGrad else { continue }
                precondition(
                    ig.shape == input.shape || ig.count == input.count,
                    "\(node.name) backward produced \(ig.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                // Gradients returned by backward closures may share storage (add passes its
                // output gradient to both inputs), so accumulation always writes to a fresh copy.
                if let acc = grads[key] {
                    let sum = acc.copy()
                    sum.addInPlace(ig)
                    grads[key] = sum
                } else {
                    grads[key] = ig.reshapedView(input.shape)
                }
            }
        }
    }

    /// Sets ``grad`` to nil.
    public func zeroGrad() { grad = nil }

    /// Adds `other` (same element count) into this tensor's values, outside autodiff.
    public func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "addInPlace: \(other.shape) into \(shape)")
        Kernels.add(pointer, other.pointer, count)
    }

    /// A tensor sharing this storage with another shape of the same count (no autodiff).
    func reshapedView(_ newShape: [Int]) -> Tensor {
        if newShape == shape { return self }
        return Tensor(shape: newShape, storage: storage)
    }
}
