import Foundation

/// A model file that ships with PixelPilot (committed in a module's `Resources` folder), so a
/// command works without training. It is looked up by path, never through `Bundle.module` (whose
/// accessor ends the process when the folder is missing), in this order:
/// 1. the environment variable, when set;
/// 2. the module's resource folder beside the executable (SwiftPM's `<Package>_<Module>.resources`);
/// 3. `share/pixelpilot/` beside the executable's folder (an installed copy, `make install`);
/// 4. the source tree it was built from.
public struct ShippedModel: Sendable, Equatable {
    /// The file's name, e.g. `gem-classifier.safetensors`.
    public var fileName: String
    /// The environment variable that names another file, e.g. `PIXELPILOT_MODEL`.
    public var environmentVariable: String
    /// The resource folder's name beside the executable, e.g. `PixelPilot_StashSorter.resources`.
    public var resourceFolder: String
    /// The committed file in the source tree.
    public var sourceTreeURL: URL

    public init(fileName: String, environmentVariable: String, resourceFolder: String, sourceTreeURL: URL) {
        self.fileName = fileName
        self.environmentVariable = environmentVariable
        self.resourceFolder = resourceFolder
        self.sourceTreeURL = sourceTreeURL
    }

    /// Every place looked at, in order.
    public func candidates(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = Bundle.main.executableURL
    ) -> [URL] {
        var urls: [URL] = []
        if let env = environment[environmentVariable], !env.isEmpty { urls.append(URL(fileURLWithPath: env)) }
        if let exe = executable?.resolvingSymlinksInPath().deletingLastPathComponent() {
            urls.append(exe.appendingPathComponent(resourceFolder).appendingPathComponent(fileName))
            urls.append(
                exe.deletingLastPathComponent().appendingPathComponent("share/pixelpilot").appendingPathComponent(
                    fileName))
        }
        urls.append(sourceTreeURL)
        return urls
    }

    /// The first candidate that exists.
    public func locate() -> URL? { candidates().first { FileManager.default.fileExists(atPath: $0.path) } }
}
