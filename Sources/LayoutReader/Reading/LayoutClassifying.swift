/// Says which layout a map's lines belong to (the seed's vision transformer stage).
public protocol LayoutClassifying: AnyObject {
    /// Class names, in output order.
    var classNames: [String] { get }
    /// The prediction for `lines`. A mask with no map features (no tokens) is
    /// ``LayoutReaderError`` `.noMapFeatures`, never a made-up answer.
    func classify(_ lines: LineMask) throws -> LayoutPrediction
}
