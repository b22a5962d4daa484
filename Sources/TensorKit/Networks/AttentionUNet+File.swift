import Foundation

extension AttentionUNet {
    /// The architecture name in a PixelPilot model file's metadata.
    public static let architectureName = "pixelpilot.attention-unet"

    /// Writes the network as a PixelPilot model file: the seed's key names, and the configuration,
    /// classes, tile shape and preprocessing in the metadata (`extra` adds entries to `config`).
    public func write(to url: URL, extra: [String: String] = [:]) throws {
        var config = extra
        config["depth"] = String(configuration.depth)
        config["mid_channels"] = String(configuration.midChannels)
        config["input_channels"] = String(configuration.inputChannels)
        config["output_classes"] = String(configuration.outputClasses)
        config["dropout"] = String(configuration.dropout)
        let file = ModelFile(
            architecture: AttentionUNet.architectureName, config: config, classNames: ["background", "line"],
            inputShape: [32, 32, configuration.inputChannels],
            preprocessing: "rgb; each channel standardised over the whole image: (x - mean) / (std + 1e-8)",
            tensors: stateDict())
        try file.write(to: url)
    }

    /// Reads a network from `url`: a PixelPilot model file written by ``write(to:extra:)``, or a
    /// bare checkpoint with the seed's key names (reference §7.3; its shapes decide the depth and
    /// width, so the seed's published `AttentionUNet8_8600.safetensors` loads as the seed network).
    /// Every problem is an error naming the file: not safetensors, another architecture, a bad
    /// configuration, missing, unexpected or mis-shaped tensors.
    public static func read(from url: URL) throws -> (network: AttentionUNet, config: [String: String]) {
        let contents = try SafeTensors.read(contentsOf: url)
        func bad(_ reason: String) -> TensorError { .badFile(path: url.path, reason: reason) }
        var configuration: AttentionUNetConfiguration
        var config: [String: String] = [:]
        if contents.metadata["format"] == "pixelpilot-model" {
            let file = try ModelFile.read(from: url)
            guard file.architecture == architectureName else {
                throw bad("holds a '\(file.architecture)' model, not an attention UNet (\(architectureName))")
            }
            config = file.config
            func int(_ key: String) throws -> Int {
                guard let s = config[key], let v = Int(s) else { throw bad("metadata config has no integer '\(key)'") }
                return v
            }
            configuration = AttentionUNetConfiguration(
                depth: try int("depth"), midChannels: try int("mid_channels"), inputChannels: try int("input_channels"),
                outputClasses: try int("output_classes"), dropout: Float(config["dropout"] ?? "0.5") ?? 0.5)
        } else {
            configuration = try inferConfiguration(contents.tensors, path: url.path)
        }
        do { try configuration.validate() } catch { throw bad("\(error)") }
        let net = AttentionUNet(configuration)
        do { try net.load(stateDict: contents.tensors) } catch {
            throw bad("does not fit an attention UNet (\(configuration)): \(error)")
        }
        net.eval()
        return (net, config)
    }

    /// The configuration a bare seed-style checkpoint implies: width from the stem's weight
    /// `[mid, in, 3, 3]`, depth from the number of saved stages, classes from the head.
    static func inferConfiguration(_ tensors: [String: Tensor], path: String) throws -> AttentionUNetConfiguration {
        guard let stem = tensors["save_intermediates.0.0.weight"], stem.rank == 4 else {
            throw TensorError.badFile(
                path: path,
                reason: "not an attention UNet checkpoint: no 'save_intermediates.0.0.weight' (the seed's first convolution)"
            )
        }
        var depth = 1
        while tensors["save_intermediates.\(depth).1.blocks.2.weight"] != nil { depth += 1 }
        guard let head = tensors["consume_intermediates.\(depth - 1).3.weight"], head.rank == 4 else {
            throw TensorError.badFile(
                path: path, reason: "not an attention UNet checkpoint: no head 'consume_intermediates.\(depth - 1).3.weight'")
        }
        return AttentionUNetConfiguration(
            depth: depth, midChannels: stem.shape[0], inputChannels: stem.shape[1], outputClasses: head.shape[0])
    }
}
