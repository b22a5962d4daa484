import ArgumentParser
import Desktop
import Foundation
import TensorKit

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check what the display offers PixelPilot: extensions, visuals, capture, and what does not work and why.")

    @OptionGroup var display: DisplayOptions

    func run() throws {
        let (connection, virtual) = try display.open()
        defer { withExtendedLifetime(virtual) {} }
        print(DisplayDoctor.report(connection: connection))
        print(
            """
            Compute: TensorKit's convolution kernels use \(CPUFeatures.kernelInstructionSet) on \
            \(ProcessInfo.processInfo.activeProcessorCount) cores\(CPUFeatures.hasAVX512 ? "" : " (no AVX-512 on this CPU)").
            """)
    }
}
