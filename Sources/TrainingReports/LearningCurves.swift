import Imaging
import TensorKit

/// Learning curves as one picture: two charts side by side, as Keras users plot them.
public enum LearningCurves {
    /// The names a picture gives the curves of a ``History``.
    public struct Names: Sendable {
        public var loss: String, validationLoss: String, accuracy: String, validationAccuracy: String

        public init(loss: String, validationLoss: String, accuracy: String, validationAccuracy: String) {
            self.loss = loss
            self.validationLoss = validationLoss
            self.accuracy = accuracy
            self.validationAccuracy = validationAccuracy
        }

        /// Keras's names: loss, val_loss, accuracy, val_accuracy.
        public static let keras = Names(
            loss: "loss", validationLoss: "val_loss", accuracy: "accuracy", validationAccuracy: "val_accuracy")
        /// Training against a test set: train and test in both charts.
        public static let trainAndTest = Names(
            loss: "train", validationLoss: "test", accuracy: "train", validationAccuracy: "test")
    }

    /// The blue of the training curve and the orange of the held-out one (matplotlib's first two colours).
    public static let trainingColor: Color = [31, 119, 180]
    public static let heldOutColor: Color = [255, 127, 14]

    /// Loss (training and validation) beside accuracy, one point per epoch (or per evaluation, `xLabel`).
    public static func picture(_ history: History, names: Names = .keras, xLabel: String = "epoch") -> Image {
        let e = history.epochs
        let loss = LineChart(
            title: "LOSS", xLabel: xLabel,
            series: [
                .init(name: names.loss, values: e.map(\.loss), color: trainingColor),
                .init(name: names.validationLoss, values: e.map { $0.validationLoss ?? .nan }, color: heldOutColor),
            ])
        let accuracy = LineChart(
            title: "ACCURACY", xLabel: xLabel,
            series: [
                .init(name: names.accuracy, values: e.map(\.accuracy), color: trainingColor),
                .init(
                    name: names.validationAccuracy, values: e.map { $0.validationAccuracy ?? .nan }, color: heldOutColor
                ),
            ])
        return sideBySide(loss, accuracy)
    }

    /// Two charts, 560 pixels wide each, on one white picture.
    public static func sideBySide(_ left: LineChart, _ right: LineChart) -> Image {
        var left = left
        var right = right
        left.width = 560
        right.width = 560
        var picture = Image(width: 1120, height: 360, color: [255, 255, 255])
        picture.draw(left.render(), atX: 0, y: 0)
        picture.draw(right.render(), atX: 560, y: 0)
        return picture
    }
}
