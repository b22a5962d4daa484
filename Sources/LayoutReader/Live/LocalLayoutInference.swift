import Foundation
import Imaging

/// The seed's whole server pipeline in this process: line extraction (UNet or a colour
/// threshold, each followed by the seed's sparse-pixel cleanup when the extractor is set up so)
/// → the classifier (tokens and the ViT). A map whose mask has no line pixel is
/// ``LayoutReadout/noMapFeatures``, never a made-up answer.
public final class LocalLayoutInference: LayoutInferring {
    public let extractor: LineExtracting
    public let classifier: LayoutClassifying
    /// The last mask (for pictures and the demo).
    public private(set) var lastMask: LineMask?

    public init(extractor: LineExtracting, classifier: LayoutClassifying) {
        self.extractor = extractor
        self.classifier = classifier
    }

    public var classNames: [String] { classifier.classNames }

    public func read(_ update: MapUpdate) throws -> LayoutReadout {
        let mask = try extractor.lines(of: update.map, origin: update.origin, scale: update.scale)
        lastMask = mask
        let lines = mask.lineCount
        guard lines > 0 else { return .noMapFeatures }
        do {
            return .prediction(try classifier.classify(mask), linePixels: lines)
        } catch LayoutReaderError.noMapFeatures {
            return .noMapFeatures
        }
    }

    public func reset() {
        extractor.reset()
        lastMask = nil
    }
}
