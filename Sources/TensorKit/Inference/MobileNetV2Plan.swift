import Foundation

/// A ``MobileNetV2`` compiled for inference: every batch norm folded into its convolution, the
/// 1×1 convolutions (and the stem, after im2col) ``PointwiseConv`` with bias, ReLU6 and the
/// residual add applied in registers, the depthwise 3×3 ones ``DepthwiseConv`` (AVX-512 or AVX2
/// for both), and the global average pooling one pass over the head's output.
///
/// Frames are shared out between TensorKit's threads in parts of at most ``framesPerPart``
/// (at least two parts per thread), claimed one at a time, each part running whole frames on its own buffers (no synchronisation inside the
/// network). A part runs the high-resolution layers one frame at a time, so a frame's
/// activations stay in its core's cache, and the low-resolution layers (from
/// ``batchedFromBlock``) on all its frames at once, so their large weight matrices are read once
/// per part rather than once per frame. A single frame runs on every worker instead (1×1
/// convolutions and depthwise rows split between them).
///
/// The plan copies the weights when it is made: make a new one after they change.
public final class MobileNetV2Plan {
    struct Pointwise {
        /// `[cin, cout]` (``PointwiseConv``'s packing), batch norm folded.
        var weight: AlignedFloats
        var bias: AlignedFloats
        var cin: Int
        var cout: Int
    }

    struct Block {
        var expand: Pointwise?
        /// `[9, hidden]`, batch norm folded.
        var depthwise: AlignedFloats
        var depthwiseBias: AlignedFloats
        var hidden: Int
        var stride: Int
        var project: Pointwise
        var addsInput: Bool
    }

    /// Stem weights `[27, 32]`, rows in (ky, kx, ci) order, folded.
    let stemWeight: AlignedFloats
    let stemBias: AlignedFloats
    let stemChannels: Int
    let blocks: [Block]
    let head: Pointwise
    /// Blocks from this index on run batched over a part's frames (see the type's notes).
    public var batchedFromBlock: Int
    /// The most frames in one part of work shared out between the threads (parts are made small
    /// enough that each thread gets at least two, so a descheduled thread holds up at most half
    /// of its share; on the seed's 20-frame window at 2 threads that is 5 frames per part).
    /// Larger parts read the low-resolution layers' weights fewer times: 2 frames per part
    /// measured 43 ms median against 33-35 ms for 5 (AVX-512, 2 threads, one busy-machine session).
    public var framesPerPart = 8

    /// Floats per image out of the pooling.
    public var featureCount: Int { head.cout }

    private var scratch: [Scratch] = []

    /// Folds and packs `network`'s weights.
    public init(_ network: MobileNetV2) {
        func pointwise(_ u: ConvBN) -> Pointwise {
            let (w, b) = u.folded()
            let cin = u.conv.inputChannels
            let cout = u.conv.outputChannels
            return Pointwise(
                weight: AlignedFloats(PointwiseConv.packWeights(w.pointer, outputs: cout, inputs: cin)),
                bias: AlignedFloats(b.scalars), cin: cin,
                cout: cout)
        }
        let (sw, sb) = network.stem.folded()
        let stemCount = network.stem.conv.outputChannels
        stemChannels = stemCount
        var packed = [Float](repeating: 0, count: stemCount * 27)
        for o in 0..<stemCount {
            for ci in 0..<3 {
                for k in 0..<9 { packed[o * 27 + k * 3 + ci] = sw.pointer[(o * 3 + ci) * 9 + k] }
            }
        }
        stemWeight = AlignedFloats(
            packed.withUnsafeBufferPointer { PointwiseConv.packWeights($0.baseAddress!, outputs: stemCount, inputs: 27) })
        stemBias = AlignedFloats(sb.scalars)
        blocks = network.blocks.map { b in
            let (dw, db) = b.depthwise.folded()
            return Block(
                expand: b.expand.map(pointwise),
                depthwise: AlignedFloats(DepthwiseConv.packWeights(dw.pointer, channels: b.hiddenChannels)),
                depthwiseBias: AlignedFloats(db.scalars), hidden: b.hiddenChannels, stride: b.stride, project: pointwise(b.project),
                addsInput: b.addsInput)
        }
        head = pointwise(network.head)
        let fromEnvironment = ProcessInfo.processInfo.environment["PIXELPILOT_MNV2_BATCHED_FROM"].flatMap { Int($0) }
        batchedFromBlock = fromEnvironment ?? 6
        if let parts = ProcessInfo.processInfo.environment["PIXELPILOT_MNV2_FRAMES_PER_PART"].flatMap({ Int($0) }),
            parts > 0
        {
            framesPerPart = parts
        }
    }

    /// Features `[N, featureCount]` of preprocessed images `[N, H, W, 3]` (values in [-1, 1]).
    public func callAsFunction(_ images: Tensor) -> Tensor {
        precondition(
            images.rank == 4 && images.shape[3] == 3, "MobileNetV2Plan expects [N, H, W, 3], got \(images.shape)")
        let n = images.shape[0]
        let h = images.shape[1]
        let w = images.shape[2]
        let out = Tensor.uninitialized([n, featureCount])
        let layout = Layout(plan: self, height: h, width: w)
        let input = UnsafePointer(images.pointer)
        let output = out.pointer
        // Parts of `framesPerPart` frames, claimed one at a time by whichever thread is free (a
        // worker the OS has descheduled holds up at most one part), each on a scratch set taken
        // from a shared stack.
        let group = framesPerPart(ofWindow: n)
        let parts = (n + group - 1) / group
        let concurrent = Parallel.threadCount > 1 ? Swift.min(parts, SpinningPool.shared.workerCount + 1) : 1
        while scratch.count < concurrent { scratch.append(Scratch()) }
        if concurrent <= 1 || Parallel.isInsideRegion {
            scratch[0].reserve(layout.floats(frames: n))
            run(layout, input, frames: n, scratch: scratch[0], output: output)
            return out
        }
        for s in scratch.prefix(concurrent) { s.reserve(layout.floats(frames: group)) }
        let free = ScratchStack(Array(scratch.prefix(concurrent)))
        Parallel.regionDepth.wrappingIncrement()
        defer { Parallel.regionDepth.wrappingDecrement() }
        SpinningPool.shared.run(parts) { p in
            let lo = p * group
            let hi = Swift.min(n, lo + group)
            let s = free.take()
            run(layout, input + lo * h * w * 3, frames: hi - lo, scratch: s, output: output + lo * featureCount)
            free.put(s)
        }
        return out
    }

    /// Frames in each part when `frames` are shared out between TensorKit's threads: at most
    /// ``framesPerPart``, and small enough that each thread gets at least two parts.
    public func framesPerPart(ofWindow frames: Int) -> Int {
        let threads = Swift.max(1, Swift.min(Parallel.threadCount, SpinningPool.shared.workerCount + 1))
        return Swift.max(1, Swift.min(framesPerPart, frames, (frames + 2 * threads - 1) / (2 * threads)))
    }

    /// Block `index` alone on NHWC input `[N, H, W, C]` (for benchmarks and tests), images shared
    /// out between the workers like ``callAsFunction(_:)``.
    public func runBlock(_ index: Int, _ x: Tensor) -> Tensor {
        let b = blocks[index]
        let cin = b.expand?.cin ?? b.hidden
        precondition(x.rank == 4 && x.shape[3] == cin, "block \(index) expects [N, H, W, \(cin)], got \(x.shape)")
        let n = x.shape[0]
        let d = DepthwiseConv.Shape(
            height: x.shape[1], width: x.shape[2], channels: 1, stride: b.stride, padding: .same)
        var layout = Layout(plan: self, height: 2 * x.shape[1], width: 2 * x.shape[2])
        layout.sizes = Array(repeating: (0, 0), count: blocks.count + 1)
        layout.sizes[index] = (x.shape[1], x.shape[2])
        layout.sizes[index + 1] = (d.outputHeight, d.outputWidth)
        let perFrame = Swift.max(x.shape[1] * x.shape[2] * b.hidden, d.outputHeight * d.outputWidth * b.hidden)
        let out = Tensor.uninitialized([n, d.outputHeight, d.outputWidth, b.project.cout])
        let workers = Swift.max(1, Swift.min(Parallel.threadCount, n))
        let chunk = (n + workers - 1) / workers
        while scratch.count < workers { scratch.append(Scratch()) }
        for s in scratch.prefix(workers) { s.reserve(perFrame * chunk) }
        let buffers = scratch
        let inFloats = x.shape[1] * x.shape[2] * cin
        let outFloats = d.outputHeight * d.outputWidth * b.project.cout
        let xp = x.pointer
        let op = out.pointer
        let run = { (wk: Int) in
            let lo = wk * chunk
            let hi = Swift.min(n, lo + chunk)
            guard lo < hi else { return }
            let s = buffers[wk]
            let r = self.block(index, layout, n: hi - lo, input: xp + lo * inFloats, s)
            (op + lo * outFloats).update(from: r, count: (hi - lo) * outFloats)
        }
        if workers == 1 {
            run(0)
        } else {
            Parallel.forEachChunk(workers) { wr in for wk in wr { run(wk) } }
        }
        return out
    }

    /// One inverted residual block's shape on `height`×`width` input frames: input, expansion and
    /// output channels, stride and the output's size (for per-layer benchmarks).
    public struct BlockShape: Sendable, Equatable {
        public var inputChannels, hiddenChannels, outputChannels, stride: Int
        public var inputHeight, inputWidth, outputHeight, outputWidth: Int
        public var expands: Bool

        /// Multiply-adds per frame: the expansion, the depthwise 3×3 and the projection.
        public var multiplyAdds: Int {
            (expands ? inputHeight * inputWidth * inputChannels * hiddenChannels : 0)
                + outputHeight * outputWidth * hiddenChannels * (9 + outputChannels)
        }
    }

    /// Every block's shape for frames of `height`×`width` pixels.
    public func blockShapes(height: Int, width: Int) -> [BlockShape] {
        let layout = Layout(plan: self, height: height, width: width)
        return blocks.enumerated().map { i, b in
            BlockShape(
                inputChannels: b.expand?.cin ?? b.hidden, hiddenChannels: b.hidden, outputChannels: b.project.cout,
                stride: b.stride, inputHeight: layout.sizes[i].h, inputWidth: layout.sizes[i].w,
                outputHeight: layout.sizes[i + 1].h, outputWidth: layout.sizes[i + 1].w, expands: b.expand != nil)
        }
    }

    /// Sizes of every layer's output for one input size.
    struct Layout {
        /// Spatial size after the stem and after each block.
        var sizes: [(h: Int, w: Int)]
        var inputH: Int, inputW: Int
        /// Largest per-frame activation before and after the batched split.
        var earlyFloats: Int, lateFloats: Int
        var splitFloats: Int
        var stemColumns: Int

        init(plan: MobileNetV2Plan, height: Int, width: Int) {
            inputH = height
            inputW = width
            let stem = DepthwiseConv.Shape(height: height, width: width, channels: 1, stride: 2, padding: .same)
            var sizes = [(stem.outputHeight, stem.outputWidth)]
            var early = stem.outputHeight * stem.outputWidth * plan.stemChannels
            var late = 0
            var split = 0
            var cur = sizes[0]
            for (i, b) in plan.blocks.enumerated() {
                let d = DepthwiseConv.Shape(height: cur.0, width: cur.1, channels: 1, stride: b.stride, padding: .same)
                let inPix = cur.0 * cur.1
                let outPix = d.outputHeight * d.outputWidth
                let biggest = Swift.max(inPix * b.hidden, outPix * Swift.max(b.hidden, b.project.cout))
                if i < plan.batchedFromBlock {
                    early = Swift.max(early, biggest)
                } else {
                    late = Swift.max(late, biggest)
                }
                if i == plan.batchedFromBlock - 1 { split = outPix * b.project.cout }
                cur = (d.outputHeight, d.outputWidth)
                sizes.append(cur)
            }
            let headFloats = cur.0 * cur.1 * plan.head.cout
            if plan.batchedFromBlock >= plan.blocks.count {
                split = cur.0 * cur.1 * plan.blocks[plan.blocks.count - 1].project.cout
                early = Swift.max(early, headFloats)
            } else {
                late = Swift.max(late, headFloats)
            }
            if plan.batchedFromBlock <= 0 { split = sizes[0].0 * sizes[0].1 * plan.stemChannels }
            self.sizes = sizes.map { (h: $0.0, w: $0.1) }
            earlyFloats = early
            lateFloats = late
            splitFloats = split
            stemColumns = stem.outputHeight * stem.outputWidth * 27
        }

        /// Floats of each of the four work buffers for `frames` frames.
        func floats(frames: Int) -> Int {
            Swift.max(earlyFloats, frames * lateFloats, frames * splitFloats, stemColumns)
        }
    }

    /// Scratch sets not in use, behind a lock (taken once per part).
    final class ScratchStack: @unchecked Sendable {
        private var items: [Scratch]
        private let lock = NSLock()
        init(_ items: [Scratch]) { self.items = items }
        func take() -> Scratch {
            lock.lock()
            defer { lock.unlock() }
            return items.removeLast()
        }
        func put(_ s: Scratch) {
            lock.lock()
            items.append(s)
            lock.unlock()
        }
    }

    /// One worker's buffers, grown as needed and kept between calls.
    final class Scratch {
        var buffers: [UnsafeMutablePointer<Float>] = []
        var capacity = 0
        /// Holds the split activations of every frame of the worker.
        var gathered: UnsafeMutablePointer<Float>?
        var gatheredCapacity = 0

        func reserve(_ floats: Int) {
            guard floats > capacity else { return }
            for b in buffers { UnsafeMutableRawPointer(b).deallocate() }
            // Spare room past the end so the last vector of a row may be read or written whole;
            // aligned to 64 bytes (a 512-bit load that straddles two cache lines costs two).
            buffers = (0..<4).map { _ in AlignedFloats.allocate(floats + 16) }
            capacity = floats
            gathered.map { UnsafeMutableRawPointer($0).deallocate() }
            gathered = AlignedFloats.allocate(floats + 16)
            gatheredCapacity = floats
        }

        deinit {
            for b in buffers { UnsafeMutableRawPointer(b).deallocate() }
            gathered.map { UnsafeMutableRawPointer($0).deallocate() }
        }
    }

    /// The network on `frames` consecutive frames with one worker's buffers.
    func run(
        _ layout: Layout, _ input: UnsafePointer<Float>, frames: Int, scratch s: Scratch,
        output: UnsafeMutablePointer<Float>
    ) {
        let split = Swift.min(Swift.max(batchedFromBlock, 0), blocks.count)
        let frameIn = layout.inputH * layout.inputW * 3
        let gathered = s.gathered!
        // Early layers, frame by frame; their output lands in `gathered`.
        for f in 0..<frames {
            var cur = stem(layout, input + f * frameIn, s)
            for i in 0..<split { cur = block(i, layout, n: 1, input: cur, s) }
            if split == blocks.count {
                pool(layout, n: 1, input: cur, s, output: output + f * featureCount)
            } else {
                gathered.advanced(by: f * layout.splitFloats).update(from: cur, count: layout.splitFloats)
            }
        }
        guard split < blocks.count else { return }
        var cur = UnsafeMutablePointer(gathered)
        for i in split..<blocks.count { cur = block(i, layout, n: frames, input: cur, s) }
        pool(layout, n: frames, input: cur, s, output: output)
    }

    /// Picks a work buffer that is neither `a` nor `b`.
    @inline(__always)
    func free(
        _ s: Scratch, _ a: UnsafeMutablePointer<Float>?, _ b: UnsafeMutablePointer<Float>? = nil
    )
        -> UnsafeMutablePointer<Float>
    {
        for p in s.buffers where p != a && p != b { return p }
        preconditionFailure("MobileNetV2Plan: no free buffer")
    }

    /// Stem: 3×3 stride-2 "same" convolution 3 → 32 + bias + ReLU6, as im2col and one GEMM.
    func stem(_ layout: Layout, _ x: UnsafePointer<Float>, _ s: Scratch) -> UnsafeMutablePointer<Float> {
        let oh = layout.sizes[0].h
        let ow = layout.sizes[0].w
        let geo = ConvGeometry(
            input: [1, layout.inputH, layout.inputW, 3], weight: [stemChannels, 3, 3, 3], stride: (2, 2),
            padding: .same, dilation: (1, 1), groups: 1)
        let cols = s.buffers[3]
        geo.im2col(x, img: 0, group: 0, into: cols)
        let out = s.buffers[0]
        PointwiseConv.forward(
            x: cols, rows: oh * ow, k: 27, weights: stemWeight.pointer, n: stemChannels, bias: stemBias.pointer,
            low: 0, high: 6, output: out)
        return out
    }

    /// Block `i` on `n` images at `input`; returns where its output is.
    func block(
        _ i: Int, _ layout: Layout, n: Int, input: UnsafeMutablePointer<Float>, _ s: Scratch
    ) -> UnsafeMutablePointer<Float> {
        let b = blocks[i]
        let inSize = layout.sizes[i]
        let outSize = layout.sizes[i + 1]
        let inRows = n * inSize.h * inSize.w
        let outRows = n * outSize.h * outSize.w
        var hidden = input
        if let e = b.expand {
            hidden = free(s, input)
            pointwise(e, rows: inRows, input, hidden, low: 0, high: 6, residual: nil)
        }
        let dwOut = free(s, input, hidden)
        let shape = DepthwiseConv.Shape(
            height: inSize.h, width: inSize.w, channels: b.hidden, stride: b.stride, padding: .same)
        DepthwiseConv.forward(
            input: hidden, images: n, shape: shape, weights: b.depthwise.pointer, bias: b.depthwiseBias.pointer,
            activation: .relu6, output: dwOut)
        let out = free(s, input, dwOut)
        pointwise(
            b.project, rows: outRows, dwOut, out, low: -.infinity, high: .infinity,
            residual: b.addsInput ? UnsafePointer(input) : nil)
        return out
    }

    /// Head 1×1 convolution + bias + ReLU6, averaged over each image's pixels into `output`.
    func pool(
        _ layout: Layout, n: Int, input: UnsafeMutablePointer<Float>, _ s: Scratch, output: UnsafeMutablePointer<Float>
    ) {
        let size = layout.sizes[blocks.count]
        let pixels = size.h * size.w
        let out = free(s, input)
        pointwise(head, rows: n * pixels, input, out, low: 0, high: 6, residual: nil)
        for img in 0..<n {
            poolMean(out + img * pixels * head.cout, pixels: pixels, cols: head.cout, into: output + img * head.cout)
        }
    }

    @inline(__always)
    func pointwise(
        _ p: Pointwise, rows: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, low: Float,
        high: Float, residual: UnsafePointer<Float>?
    ) {
        PointwiseConv.forward(
            x: x, rows: rows, k: p.cin, weights: p.weight.pointer, n: p.cout, bias: p.bias.pointer, low: low,
            high: high, residual: residual, output: y)
    }
}

/// Floats at a 64-byte boundary (a cache line and one AVX-512 vector), kept for the life of a plan:
/// packed weights read by vector loads that never straddle two lines.
final class AlignedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A copy of `values`, with 16 zero floats of spare room past the end.
    init(_ values: [Float]) {
        count = values.count
        pointer = AlignedFloats.allocate(values.count + 16)
        pointer.initialize(repeating: 0, count: values.count + 16)
        values.withUnsafeBufferPointer { v in
            if let base = v.baseAddress { pointer.update(from: base, count: v.count) }
        }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// Uninitialised room for `count` floats at a 64-byte boundary (free with
    /// `UnsafeMutableRawPointer.deallocate()`).
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }
}

typealias V8 = SIMD8<Float>

/// `out[c] = mean over pixels of m[p, c]`; `cols` a multiple of 8.
@inline(__always)
func poolMean(_ m: UnsafePointer<Float>, pixels: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
    precondition(cols % 8 == 0, "poolMean needs a multiple of 8 columns")
    let inv = V8(repeating: 1 / Float(pixels))
    var c = 0
    while c < cols {
        var acc = V8(repeating: 0)
        for p in 0..<pixels { acc += UnsafeRawPointer(m + p * cols + c).loadUnaligned(as: V8.self) }
        UnsafeMutableRawPointer(out + c).storeBytes(of: acc * inv, as: V8.self)
        c += 8
    }
}
