/// What the layout classifier says about one map: a probability for each of the area's layouts.
public struct LayoutPrediction: Sendable, Equatable, Codable {
    /// One probability per layout class, in class order (they sum to 1).
    public var probabilities: [Float]
    /// How many map tokens the classifier saw (before padding or truncation).
    public var tokenCount: Int

    public init(probabilities: [Float], tokenCount: Int) {
        self.probabilities = probabilities
        self.tokenCount = tokenCount
    }

    /// The `count` most likely classes (index, probability), most likely first; ties by index.
    public func top(_ count: Int = 3) -> [(index: Int, probability: Float)] {
        let ranked = probabilities.enumerated().sorted {
            $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset)
        }
        return ranked.prefix(count).map { (index: $0.offset, probability: $0.element) }
    }

    /// The most likely class.
    public var best: Int { top(1).first?.index ?? 0 }
}
