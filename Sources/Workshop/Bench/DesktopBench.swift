import Desktop
import Foundation

/// Capture and injection figures (`pixelpilot bench --only capture,inject`) on an X display;
/// `make bench` starts a 3840x2160 virtual display for them.
public enum DesktopBench {
    /// The regions measured, as (name, rect) on a screen of at least 3840x2160.
    public static func regions(screen: ScreenRect) -> [(String, ScreenRect)] {
        var r: [(String, ScreenRect)] = [
            ("1920x1080", ScreenRect(x: 0, y: 0, width: 1920, height: 1080)),
            ("256x256 region", ScreenRect(x: 832, y: 412, width: 256, height: 256)),
        ]
        if screen.width >= 3840 && screen.height >= 2160 {
            r.insert(("3840x2160", ScreenRect(x: 0, y: 0, width: 3840, height: 2160)), at: 1)
            r.append(
                ("1080x1080 centre of 4K", ScreenRect(x: 0, y: 0, width: 3840, height: 2160).centeredSquare(side: 1080))
            )
        }
        return r
    }

    public static func capture(connection: X11Connection, report: (BenchResult) -> Void) throws {
        func emit(_ suite: String, _ c: String, _ framework: String, _ value: Double, _ unit: String) {
            report(BenchResult(suite: suite, case: c, framework: framework, value: value, unit: unit))
        }
        let source = X11ScreenSource(connection: connection)
        for (name, rect) in regions(screen: source.screenRect) {
            let frames = rect.width * rect.height > 4_000_000 ? 40 : 200
            // Zero-copy: the caller reads the frame in shared memory (touching every row).
            var sink: UInt32 = 0
            let raw = BenchResult.median(frames, warmup: 5) {
                _ = try? source.withRawFrame(rect) { f in
                    for y in stride(from: 0, to: f.height, by: 1) {
                        sink &+= f.pixels.load(fromByteOffset: y * f.bytesPerRow, as: UInt32.self)
                    }
                }
            }
            emit("capture", name, "PixelPilot zero-copy (SHM view)", 1 / raw, "fps")
            let rgba = BenchResult.median(frames, warmup: 5) { _ = try? source.capture(rect) }
            emit("capture", name, "PixelPilot RGBA image", 1 / rgba, "fps")
            // The floor: copying the same number of bytes.
            let bytes = rect.width * rect.height * 4
            let a = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            let b = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            memset(a, 1, bytes)
            memset(b, 2, bytes)
            let copy = BenchResult.median(frames, warmup: 5) { memcpy(b, a, bytes) }
            a.deallocate()
            b.deallocate()
            emit("capture", name, "memcpy (floor)", 1 / copy, "fps")
            _ = sink
        }
    }

    /// Click injection → receipt by a window of another client, in microseconds (p50 and p99).
    public static func inject(
        connection: X11Connection, peers: Bool, pythonPeer: String?, report: (BenchResult) -> Void
    ) throws {
        func emit(_ suite: String, _ c: String, _ framework: String, _ value: Double, _ unit: String) {
            report(BenchResult(suite: suite, case: c, framework: framework, value: value, unit: unit))
        }
        let target = try X11PictureWindow(
            display: connection.name, rect: ScreenRect(x: 100, y: 100, width: 200, height: 200),
            picture: .testPattern(width: 200, height: 200), title: "latency probe")
        defer { target.close() }
        target.focus()
        let device = SafeInputDevice(wrapping: try X11InputDevice(connection: connection), timing: .immediate)
        func measure(_ n: Int, _ inject: () throws -> Double) rethrows -> [Double] {
            var lat: [Double] = []
            for _ in 0..<n {
                let before = target.eventTimes.count
                let t0 = try inject()
                let deadline = Date().addingTimeInterval(1)
                while target.eventTimes.count <= before && Date() < deadline { usleep(20) }
                if target.eventTimes.count > before { lat.append((target.eventTimes[before] - t0) * 1e6) }
                // Wait for the release too before the next click.
                while target.eventTimes.count < before + 2 && Date() < deadline { usleep(20) }
            }
            return lat.sorted()
        }
        func percentiles(_ name: String, _ lat: [Double]) {
            guard !lat.isEmpty else { return }
            emit("inject", "click p50", name, lat[lat.count / 2], "us")
            emit("inject", "click p99", name, lat[Swift.min(lat.count - 1, Int(Double(lat.count) * 0.99))], "us")
        }
        try device.move(to: ScreenPoint(x: 150, y: 150))
        percentiles(
            "PixelPilot (XTest)",
            try measure(300) {
                let t0 = MonotonicTime.now.seconds
                try device.press(MouseButton.left)
                try device.release(MouseButton.left)
                return t0
            })
        guard peers else { return }
        if let xdotool = VirtualDisplay.findTool("xdotool") {
            percentiles(
                "xdotool (process per click)",
                try measure(40) {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: xdotool)
                    p.arguments = ["click", "1"]
                    p.environment = ["DISPLAY": connection.name]
                    let t0 = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
                    try p.run()
                    p.waitUntilExit()
                    return t0
                })
        }
        if let python = pythonPeer {
            // pyautogui in one long-running process: it prints its monotonic time before each click.
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = [
                "-c",
                """
                import sys, time, pyautogui
                pyautogui.PAUSE = 0; pyautogui.FAILSAFE = False
                for line in sys.stdin:
                    t = time.monotonic(); pyautogui.click(150, 150); print(t, flush=True)
                """,
            ]
            p.environment = ["DISPLAY": connection.name, "PATH": "/usr/bin:/bin"]
            let input = Pipe()
            let output = Pipe()
            p.standardInput = input
            p.standardOutput = output
            p.standardError = FileHandle.nullDevice
            try p.run()
            var lat: [Double] = []
            for _ in 0..<60 {
                let before = target.eventTimes.count
                input.fileHandleForWriting.write(Data("go\n".utf8))
                var line = Data()
                while true {
                    let c = output.fileHandleForReading.readData(ofLength: 1)
                    if c.isEmpty || c == Data("\n".utf8) { break }
                    line.append(c)
                }
                guard let t0 = Double(String(decoding: line, as: UTF8.self)) else { break }
                let deadline = Date().addingTimeInterval(1)
                while target.eventTimes.count <= before && Date() < deadline { usleep(20) }
                if target.eventTimes.count > before { lat.append((target.eventTimes[before] - t0) * 1e6) }
                while target.eventTimes.count < before + 2 && Date() < deadline { usleep(20) }
            }
            try? input.fileHandleForWriting.close()
            p.waitUntilExit()
            percentiles("pyautogui", lat.sorted())
        }
    }
}
