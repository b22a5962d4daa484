/// Layers applied one after another. Children are keyed `0`, `1`, ... as in PyTorch's `nn.Sequential`.
public final class Sequential: Module, UnaryLayer {
    public let layers: [any UnaryLayer]

    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    public convenience init(@SequentialBuilder _ build: () -> [any UnaryLayer]) {
        self.init(build())
    }

    public override func children() -> [(String, Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element as Module) }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}

/// Builds the layer list of a ``Sequential``.
@resultBuilder
public enum SequentialBuilder {
    public static func buildExpression(_ l: any UnaryLayer) -> [any UnaryLayer] { [l] }
    public static func buildBlock(_ parts: [any UnaryLayer]...) -> [any UnaryLayer] { parts.flatMap { $0 } }
    public static func buildOptional(_ p: [any UnaryLayer]?) -> [any UnaryLayer] { p ?? [] }
    public static func buildEither(first: [any UnaryLayer]) -> [any UnaryLayer] { first }
    public static func buildEither(second: [any UnaryLayer]) -> [any UnaryLayer] { second }
}
