import Foundation

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

    /// Every place looked at, in order.
    public static func candidates() -> [URL] {
        var urls: [URL] = []
        if let env = ProcessInfo.processInfo.environment["PIXELPILOT_MODEL"], !env.isEmpty {
            urls.append(URL(fileURLWithPath: env))
        }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            urls.append(exe.appendingPathComponent("PixelPilot_StashSorter.resources").appendingPathComponent(fileName))
            urls.append(
                exe.deletingLastPathComponent().appendingPathComponent("share/pixelpilot").appendingPathComponent(
                    fileName))
        }
        urls.append(sourceTreeURL)
        return urls
    }

    /// The committed file in the source tree.
    public static var sourceTreeURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
            .appendingPathComponent(fileName)
    }

    /// The first existing candidate.
    public static func locate() -> URL? {
        candidates().first { FileManager.default.fileExists(atPath: $0.path) }
    }

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
