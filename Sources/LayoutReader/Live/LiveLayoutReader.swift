import Desktop
import Foundation
import Imaging

/// The seed's live loop in one object: a ``LayoutStream`` captures and stitches; after every
/// pasted frame the stitched map (shrunk to the seed's half scale) waits in a one-slot mailbox,
/// and a worker thread reads the newest one through a ``LayoutInferring`` back end (in process or
/// a server). Stitching never waits for inference: while the worker is busy, newer maps replace
/// older ones (counted as dropped). The resulting ``GuideState`` goes to ``onState``.
public final class LiveLayoutReader: @unchecked Sendable {
    /// Settings of a live reader.
    public struct Settings: Sendable {
        public var fps: Double = 1
        public var stitch = StitchSettings()
        /// Canvas (capture) pixels per pixel of the seed's half scale; maps are shrunk by it.
        public var mapScale: Float = 1
        /// A top probability below this is "not sure yet".
        public var minConfidence: Float = 0.5
        public init() {}
    }

    /// What a finished update was (for pictures, logs and the demo).
    public struct Update: Sendable {
        public var update: MapUpdate
        public var readout: LayoutReadout?
        public var error: String?
        public var state: GuideState
        public var milliseconds: Double
    }

    public let region: ScreenRect
    public let settings: Settings
    public let inference: LayoutInferring
    private let source: ScreenSource
    private let lock = NSLock()
    private var stream: LayoutStream?
    private var mailbox = FrameMailbox<MapUpdate>()
    private var stateValue: GuideState
    private var running = false
    private var sequence = 0
    private var worker: Thread?
    private let workerDone = DispatchSemaphore(value: 0)
    private var generation = 0
    /// Called with every new state (on the stitching or the worker thread).
    public var onState: (@Sendable (GuideState) -> Void)?
    /// Called after every update the worker read.
    public var onUpdate: (@Sendable (Update) -> Void)?
    /// Called after every stitched frame.
    public var onFrame: (@Sendable (StitchReport) -> Void)?

    /// Checks the region and rate (``LayoutReaderError``) before anything starts.
    public init(
        source: ScreenSource, region: ScreenRect, inference: LayoutInferring, settings: Settings = Settings()
    )
        throws
    {
        _ = try LayoutStream(source: source, region: region, fps: settings.fps, settings: settings.stitch)
        guard settings.mapScale > 0 else { throw LayoutReaderError.badFrameRate(settings.fps) }
        self.source = source
        self.region = region
        self.inference = inference
        self.settings = settings
        stateValue = GuideState(minConfidence: settings.minConfidence)
    }

    /// What the overlay shows now.
    public var state: GuideState { lock.withLock { stateValue } }
    /// Whether a stream runs.
    public var isRunning: Bool { lock.withLock { running } }
    /// Maps replaced in the mailbox before the worker read them, this stream.
    public var droppedUpdates: Int { lock.withLock { mailbox.dropped } }
    /// The stitcher of the current (or last) stream.
    public var stitcher: MinimapStitcher? { lock.withLock { stream?.stitcher } }

    /// Starts a stream: the first frame's centre is the origin (stand at the entrance).
    public func start() throws {
        let s = try LayoutStream(source: source, region: region, fps: settings.fps, settings: settings.stitch)
        let box = FrameMailbox<MapUpdate>()
        lock.lock()
        guard !running else {
            lock.unlock()
            return
        }
        running = true
        generation += 1
        let gen = generation
        stream = s
        mailbox = box
        sequence = 0
        var fresh = GuideState(minConfidence: settings.minConfidence)
        fresh.classNames = inference.classNames
        fresh.phase = .waiting
        stateValue = fresh
        lock.unlock()
        inference.reset()
        publish(fresh)
        let t = Thread { [self] in work(box, generation: gen) }
        t.name = "pixelpilot.layout-inference"
        worker = t
        t.start()
        s.start { [self] event in
            switch event {
            case .frame(let report, _, _, _, _):
                onFrame?(report)
                guard report.outcome.isPasted else { return }
                box.put(makeUpdate(s, report: report))
            case .captureFailed:
                s.stop()
            case .ended:
                box.close()
            }
        }
    }

    /// Stops the stream; the overlay state becomes hidden at once (a late answer is ignored).
    public func stop() {
        lock.lock()
        guard running, let s = stream else {
            lock.unlock()
            return
        }
        running = false
        generation += 1
        var hidden = stateValue
        hidden.phase = .hidden
        stateValue = hidden
        lock.unlock()
        s.stop()
        publish(hidden)
    }

    /// Waits until the stream and the worker have finished (after ``stop()``).
    public func wait() {
        let s = lock.withLock { stream }
        s?.wait()
        lock.lock()
        let hadWorker = worker != nil
        worker = nil
        lock.unlock()
        if hadWorker { workerDone.wait() }
    }

    private func makeUpdate(_ s: LayoutStream, report: StitchReport) -> MapUpdate {
        let (picture, ox, oy) = s.stitcher.stitchedMap()
        let scale = settings.mapScale
        let n = lock.withLock { () -> Int in
            sequence += 1
            return sequence
        }
        var player: GridPoint?
        if let x = report.x, let y = report.y {
            player = GridPoint(x: Int((Float(ox) + x) / scale), y: Int((Float(oy) + y) / scale))
        }
        if abs(scale - 1) < 0.05 {
            return MapUpdate(sequence: n, map: picture, origin: GridPoint(x: ox, y: oy), scale: 1, player: player)
        }
        let w = max(1, Int(Float(picture.width) / scale))
        let h = max(1, Int(Float(picture.height) / scale))
        return MapUpdate(
            sequence: n, map: picture.resized(width: w, height: h),
            origin: GridPoint(x: Int(Float(ox) / scale), y: Int(Float(oy) / scale)), scale: 1, player: player)
    }

    private func work(_ box: FrameMailbox<MapUpdate>, generation gen: Int) {
        defer { workerDone.signal() }
        while let update = box.take() {
            // A map left in the mailbox after stop is not read (its answer would be ignored).
            if lock.withLock({ gen != generation }) { continue }
            let start = DispatchTime.now().uptimeNanoseconds
            var readout: LayoutReadout?
            var failure: Error?
            do { readout = try inference.read(update) } catch { failure = error }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            lock.lock()
            guard gen == generation else {
                lock.unlock()
                continue
            }
            var st = stateValue
            if st.classNames.isEmpty { st.classNames = inference.classNames }
            if let readout { st.take(readout, sequence: update.sequence) }
            if let failure { st.take(failure) }
            if let p = update.player {
                st.playerOffset = (Float(p.x - update.origin.x), Float(p.y - update.origin.y))
            }
            stateValue = st
            lock.unlock()
            publish(st)
            onUpdate?(
                Update(
                    update: update, readout: readout, error: failure.map { "\($0)" }, state: st, milliseconds: ms))
        }
    }

    private func publish(_ s: GuideState) { onState?(s) }
}
