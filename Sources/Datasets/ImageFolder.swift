import Foundation
import Imaging

/// A labelled image set stored as one sub-folder of PNG files per class, like Keras's
/// `image_dataset_from_directory`: class names are the sub-folder names in sorted order and a
/// class's index is its position in that order.
public struct ImageFolder {
    /// One labelled file.
    public struct Sample: Equatable {
        public var url: URL
        public var label: Int
        public init(url: URL, label: Int) {
            self.url = url
            self.label = label
        }
    }

    /// The folder that was read.
    public let root: URL
    /// Class names, sorted; index = label.
    public let classNames: [String]
    /// Files in Keras's listing order: by class, then by file name sorted as strings.
    public let samples: [Sample]

    /// Lists `directory`. Throws when it is missing, holds fewer than `minimumClasses` class
    /// folders, or a class folder holds no PNG.
    public init(directory: URL, minimumClasses: Int = 2) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError.badFolder(path: directory.path, reason: "not a directory")
        }
        let entries = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        let classes = entries.filter { name in
            var d: ObjCBool = false
            return !name.hasPrefix(".")
                && fm.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &d) && d.boolValue
        }.sorted()
        guard classes.count >= minimumClasses else {
            throw DatasetError.badFolder(
                path: directory.path,
                reason:
                    "found \(classes.count) class folder(s)\(classes.isEmpty ? "" : " (\(classes.joined(separator: ", ")))"); need at least \(minimumClasses), one sub-folder of PNG images per class"
            )
        }
        var samples: [Sample] = []
        for (label, name) in classes.enumerated() {
            let dir = directory.appendingPathComponent(name)
            let files = ImageFolder.pngFiles(in: dir)
            guard !files.isEmpty else {
                throw DatasetError.badFolder(path: dir.path, reason: "class folder '\(name)' holds no .png files")
            }
            samples += files.map { Sample(url: $0, label: label) }
        }
        self.root = directory
        self.classNames = classes
        self.samples = samples
    }

    /// PNG files below `dir` (recursively), sorted by relative path as Python sorts strings.
    static func pngFiles(in dir: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        var rel: [String] = []
        while let p = e.nextObject() as? String { if p.lowercased().hasSuffix(".png") { rel.append(p) } }
        return rel.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
            dir.appendingPathComponent($0)
        }
    }

    /// Splits like Keras's `validation_split` with `seed`: the list is shuffled by NumPy's
    /// `RandomState(seed)` and the last `Int(fraction × count)` samples are the validation set.
    public func split(validationFraction fraction: Double, seed: UInt32) -> (training: [Sample], validation: [Sample]) {
        var paths = samples
        var rng = NumPyRandomState(seed: seed)
        rng.shuffle(&paths)
        let nVal = Int(fraction * Double(paths.count))
        return (Array(paths[..<(paths.count - nVal)]), Array(paths[(paths.count - nVal)...]))
    }
}

/// Errors from datasets and loaders, naming the folder or file at fault.
public enum DatasetError: Error, CustomStringConvertible {
    case badFolder(path: String, reason: String)
    case badImage(path: String, reason: String)

    public var description: String {
        switch self {
        case .badFolder(let p, let r): return "\(p): \(r)"
        case .badImage(let p, let r): return "\(p): \(r)"
        }
    }
}
