/// The shape of the layout classifier (a vision transformer over map tokens). ``seed`` is the
/// reference's network (§11: 1,601,097 parameters); smaller ones keep the same design.
public struct ViTConfiguration: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Embedding width (the seed's 256); four patch-embedding channels per quadrant make it, so it
    /// must be divisible by 4, and by `heads`.
    public var width: Int
    /// Encoder blocks (3).
    public var depth: Int
    /// Attention heads (4).
    public var heads: Int
    /// MLP hidden width (512).
    public var mlp: Int
    /// Tokens per sample after padding or truncation (128); the CLS token comes on top.
    public var tokens: Int
    /// Output classes (9).
    public var classes: Int
    /// Dropout after the patch embedding during training (0.3).
    public var embeddingDropout: Float
    /// Dropout on each residual branch during training (0.1).
    public var residualDropout: Float

    public init(
        width: Int = 256, depth: Int = 3, heads: Int = 4, mlp: Int = 512, tokens: Int = 128, classes: Int = 9,
        embeddingDropout: Float = 0.3, residualDropout: Float = 0.1
    ) {
        self.width = width
        self.depth = depth
        self.heads = heads
        self.mlp = mlp
        self.tokens = tokens
        self.classes = classes
        self.embeddingDropout = embeddingDropout
        self.residualDropout = residualDropout
    }

    /// The seed's network.
    public static let seed = ViTConfiguration()

    /// Patch-embedding channels (one value per 16×16 quadrant and channel).
    public var patchChannels: Int { width / 4 }

    /// What is wrong with this shape, if anything.
    public var problem: String? {
        if width <= 0 || width % 4 != 0 { return "width \(width) must be a positive multiple of 4" }
        if heads <= 0 || width % heads != 0 { return "width \(width) is not divisible by \(heads) heads" }
        if depth <= 0 || mlp <= 0 || tokens <= 0 || classes <= 1 {
            return "depth, mlp and tokens must be positive and classes at least 2"
        }
        if !(0..<1).contains(embeddingDropout) || !(0..<1).contains(residualDropout) {
            return "dropout rates must be in [0, 1)"
        }
        return nil
    }

    public var description: String {
        "width \(width), \(depth) blocks x \(heads) heads, MLP \(mlp), \(tokens) tokens, \(classes) classes"
    }
}
