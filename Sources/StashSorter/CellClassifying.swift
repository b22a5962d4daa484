import Imaging

/// Anything that tells what a stash cell shows: the seed's CNN (``CellClassifier``), or, in
/// tests, a classifier that needs no training.
public protocol CellClassifying: AnyObject {
    /// Class names; the one named `empty` (by default) means an empty cell.
    var classNames: [String] { get }
    /// Input height and width in pixels (cells are resized to it).
    var inputSize: Int { get }
    /// Classifies `inputSize`×`inputSize` RGB images in one pass.
    func predict(_ images: [Image]) throws -> [CellClassifier.Prediction]
}

extension CellClassifier: CellClassifying {}
