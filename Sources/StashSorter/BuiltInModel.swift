import Foundation
import TensorKit

/// The cell classifier that ships with PixelPilot, so `pixelpilot sort` works without training:
/// trained by `make models` on PixelPilot's own drawn gems (plain and game-style cells) and
/// committed as `Sources/StashSorter/Resources/gem-classifier.safetensors`.
///
/// The build copies it into the `PixelPilot_StashSorter.resources` folder beside the executable
/// (SwiftPM's resource bundle). It is looked up by path, never through `Bundle.module` (whose
/// accessor ends the process when the folder is missing):
/// 1. `$PIXELPILOT_MODEL`, when set;
/// 2. the resource folder beside the executable;
/// 3. `share/pixelpilot/` beside the executable's folder (an installed copy);
/// 4. the source tree this was built from.
public enum BuiltInModel {
    public static let fileName = "gem-classifier.safetensors"

    /// The file and where it is looked for.
    public static let shipped = ShippedModel(
        fileName: fileName, environmentVariable: "PIXELPILOT_MODEL",
        resourceFolder: "PixelPilot_StashSorter.resources",
        sourceTreeURL: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
            .appendingPathComponent(fileName))

    /// Every place looked at, in order.
    public static func candidates() -> [URL] { shipped.candidates() }

    /// The committed file in the source tree.
    public static var sourceTreeURL: URL { shipped.sourceTreeURL }

    /// The first existing candidate.
    public static func locate() -> URL? { shipped.locate() }

    /// Loads the built-in classifier; the error lists where it looked.
    public static func load() throws -> (classifier: CellClassifier, url: URL) {
        guard let url = locate() else {
            throw ModelNotFound(looked: candidates().map(\.path))
        }
        return (try CellClassifier(contentsOf: url), url)
    }

    public struct ModelNotFound: Error, CustomStringConvertible {
        public var looked: [String]
        public var description: String {
            "the built-in cell classifier was not found (looked at \(looked.joined(separator: ", "))); give --model FILE or run `make models`"
        }
    }
}
