import Foundation
import Imaging

/// A user's own guide pictures: a folder of PNG files named after the layout classes
/// (`north-loop.png`; the class number, `1.png`, works too), one picture per class, any size. The
/// overlay shows the user's picture for the predicted layout (fitted to its guide area, see
/// ``LayoutGuide/init(name:userPicture:)``) and the built-in guide for classes without a file.
///
/// Files not ending in `.png` and hidden files are ignored. Errors name the file: a PNG whose name
/// is not a layout class, two files for one class, a PNG that cannot be read; and the folder when
/// it is missing or holds no PNG.
public struct LayoutGuideFolder: Sendable {
    public let directory: URL
    /// The pictures by class index, and the file each came from.
    public let pictures: [Int: (file: String, image: Image)]

    /// Reads every `*.png` in `directory`; `classNames[i]` names class `i`.
    public init(contentsOf directory: URL, classNames: [String]) throws {
        self.directory = directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ImagingError.badFile(path: directory.path, reason: "not a folder of guide pictures")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw ImagingError.badFile(
                path: directory.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        var found: [Int: (file: String, image: Image)] = [:]
        for file in names.sorted() where !file.hasPrefix(".") && file.lowercased().hasSuffix(".png") {
            let path = directory.appendingPathComponent(file).path
            let stem = String(file.dropLast(4))
            let index =
                classNames.firstIndex(of: stem) ?? classNames.firstIndex(of: stem.lowercased())
                ?? Int(stem).flatMap { classNames.indices.contains($0) ? $0 : nil }
            guard let index else {
                throw ImagingError.badFile(
                    path: path,
                    reason:
                        "'\(stem)' is not a layout class; name guide pictures after one of: \(classNames.joined(separator: ", ")) (or 0-\(classNames.count - 1))"
                )
            }
            if let other = found[index] {
                throw ImagingError.badFile(
                    path: path,
                    reason: "a second picture for class \(index) (\(classNames[index])), besides \(other.file)")
            }
            let image = try PNG.read(path: path)
            guard image.width > 0, image.height > 0 else {
                throw ImagingError.badFile(path: path, reason: "an empty picture")
            }
            found[index] = (file, image)
        }
        guard !found.isEmpty else {
            throw ImagingError.badFile(
                path: directory.path,
                reason:
                    "no guide pictures (expected NAME.png for a layout class, e.g. \(classNames.first ?? "north-loop").png)"
            )
        }
        pictures = found
    }

    /// `builtIn` (indexed by class) with every class that has a picture here replaced by it.
    public func guides(over builtIn: [LayoutGuide]) -> [LayoutGuide] {
        builtIn.enumerated().map { i, g in
            pictures[i].map { LayoutGuide(name: g.name, userPicture: $0.image) } ?? g
        }
    }
}
