/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// The step size used by the next ``step()``.
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Clears the gradients of every parameter.
    func zeroGrad()
}
