/// What can go wrong loading or using a layout model file. The message names the file.
public enum LayoutModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file is not a usable layout model (corrupt, another architecture, a mismatched shape).
    case badModel(path: String, reason: String)
    /// No default model was found; `looked` lists every place tried.
    case notFound(looked: [String])

    public var description: String {
        switch self {
        case .badModel(let path, let reason): return "\(path): \(reason)"
        case .notFound(let looked):
            return
                "the default layout classifier was not found (looked at \(looked.joined(separator: ", "))); give --model FILE or run `make layout-vit-model`"
        }
    }
}
