import ArgumentParser
import Foundation
import StashSorter
import Imaging

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a trained model: one line per image with class and confidence.",
        discussion: "Example: pixelpilot classify --model gem.safetensors cell1.png cell2.png")

    @Option(help: "The model file (.safetensors) from `pixelpilot train classifier`.")
    var model: String?

    @Argument(help: "PNG images of the model's input size.")
    var arguments: [String] = []

    /// The model and the images; the model may also come first among the arguments (the old form).
    var modelAndImages: (model: String, images: [String])? {
        if let model { return (model, arguments) }
        guard let first = arguments.first, first.hasSuffix(".safetensors") else { return nil }
        return (first, Array(arguments.dropFirst()))
    }

    func validate() throws {
        guard let (_, images) = modelAndImages else { throw ValidationError("give the model: --model FILE") }
        if images.isEmpty { throw ValidationError("give at least one image to classify") }
    }

    func run() throws {
        guard let (model, images) = modelAndImages else { return }
        let classifier = try CellClassifier(contentsOf: URL(fileURLWithPath: model))
        let decoded = try images.map { try PNG.read(path: $0) }
        for (path, img) in zip(images, decoded)
        where img.width != classifier.inputSize || img.height != classifier.inputSize {
            throw CLIError(
                "\(path): image is \(img.width)x\(img.height), the model takes \(classifier.inputSize)x\(classifier.inputSize)"
            )
        }
        let predictions = try classifier.predict(decoded)
        let w = images.map(\.count).max() ?? 0
        for (path, p) in zip(images, predictions) {
            print(
                "\(path.padding(toLength: w, withPad: " ", startingAt: 0))  \(p.className)  \(String(format: "%.1f%%", p.confidence * 100))"
            )
        }
    }
}
