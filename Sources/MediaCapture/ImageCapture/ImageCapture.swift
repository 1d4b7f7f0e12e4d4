// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Locking

/// W3C `ImageCapture`: still photos and frames from a video track.
///
/// Every method checks the track when it is called, before any suspension: an ended, disabled or
/// muted track rejects with `InvalidStateError` (the spec's readiness check plus what the
/// web-platform-tests expect of disabled and muted tracks).
///
/// Implements MediaStream Image Capture §"ImageCapture API" (`#imagecaptureapi`).
public final class ImageCapture: Sendable {
    /// Deadlines and encoding choices beyond the W3C surface.
    public struct Options: Sendable, Hashable {
        /// How long `grabFrame` waits for a frame; nil: four frame intervals plus one second.
        public var frameTimeout: Duration?
        /// How long `takePhoto` waits for its photo, mode switches included.
        public var photoTimeout: Duration
        /// JPEG quality of `takePhoto`, 1...100, for the photos the library encodes. An MJPEG camera's
        /// photo of its stream's size is the camera's own JPEG, at the camera's quality.
        public var jpegQuality: Int
        /// Whether photos carry EXIF (capture time, camera, pixel size, the exposure settings the
        /// camera has; never a location). On by default.
        public var exif: Bool
        /// Whether `takePhoto` uses the newest frame captured at or before the call instead of waiting
        /// for the next one. While an `ImageCapture` with it lives, its camera's photo branch keeps
        /// copies of the last 3 frames in the camera's format (3 × a frame: at 1920x1080, 9.3 MB for
        /// I420, 12.4 MB for YUY2, and one copy per frame, on the camera's thread). A photo that needs
        /// a larger native mode or a fill light, or comes before any frame was held, is of the next
        /// frame; ``VideoFrameMetadata/photoOrigin`` says which. Off by default.
        public var zeroShutterLag: Bool

        public init(
            frameTimeout: Duration? = nil, photoTimeout: Duration = .seconds(10), jpegQuality: Int = 90, exif: Bool = true,
            zeroShutterLag: Bool = false
        ) {
            self.frameTimeout = frameTimeout
            self.photoTimeout = photoTimeout
            self.jpegQuality = min(max(jpegQuality, 1), 100)
            self.exif = exif
            self.zeroShutterLag = zeroShutterLag
        }
    }

    /// The very track passed to the initialiser.
    public let track: MediaStreamTrack
    public let options: Options
    /// The sequence number of the newest frame handed out by `grabFrame`.
    private let handedOut = Locked<UInt64>(0)
    /// Keeps the camera's recent frames while this object lives (zero shutter lag).
    private let frameHold: FrameHold?

    /// The sequence number of the newest frame handed out (for tests).
    var lastHandedOut: UInt64 { handedOut.withLock { $0 } }

    /// W3C constructor. An ended track is accepted; the methods then reject.
    /// - Throws: `NotSupportedError` unless `track.kind` is `"video"`.
    public init(_ track: MediaStreamTrack, options: Options = Options()) throws(DOMException) {
        guard track.kind == "video" else {
            throw DOMException(.notSupportedError, "ImageCapture needs a video track; this one is \(track.kind).")
        }
        self.track = track
        self.options = options
        frameHold = options.zeroShutterLag ? track.video?.source.holdFrames() : nil
    }

    // MARK: - grabFrame

    /// W3C `grabFrame()` (`#dom-imagecapture-grabframe`): the freshest frame of the track.
    ///
    /// A frame the track holds that this `ImageCapture` has not handed out yet is returned at once;
    /// otherwise the next one. Concurrent calls are all served (from one frame when they coincide).
    /// The bitmap holds the frame without copying it; its size is the track's settings.
    /// - Throws: `InvalidStateError` for an ended, disabled or muted track; `UnknownError` when no
    ///   frame arrives within ``Options/frameTimeout`` or the track ends meanwhile; `AbortError` when
    ///   the task is cancelled.
    public func grabFrame() async throws(DOMException) -> ImageBitmap {
        // Step 1: the readiness check, at call time.
        let (source, share) = try readySource()
        let after = handedOut.withLock { $0 }
        // Step 2, in parallel: gather one frame.
        let (bitmap, sequence) = try await source.frame(of: share, after: after, timeout: frameTimeout, settings: track.settingsSnapshot)
        handedOut.withLock { $0 = max($0, sequence) }
        return bitmap
    }

    /// From the track's own frame rate: no device state is read on the way to a frame.
    private var frameTimeout: Duration {
        if let timeout = options.frameTimeout { return timeout }
        return CaptureTiming.stallBound(frameRate: track.frameRate)
    }

    // MARK: - takePhoto

    /// W3C `takePhoto(photoSettings)` (`#dom-imagecapture-takephoto`): one fresh frame, taken after the
    /// call, encoded as a baseline JPEG (`Blob.type == "image/jpeg"`) of exactly the requested size.
    ///
    /// With only one of `imageWidth`/`imageHeight`, the other follows the stream's aspect ratio; with
    /// neither, the size of the last photo (the stream's size at first). Aspect differences are
    /// centre-cropped, never distorted or letterboxed. A photo larger than the stream is a native
    /// capture: the camera switches to the smallest mode that covers it for one frame; the track stays
    /// live and unmuted and keeps its frame size throughout (a viewfinder sees one longer gap between
    /// frames). The call resolves once the camera is as it was: the previous mode back, and a flash's
    /// light. Concurrent calls with equal settings share one capture; others run in call order.
    /// - Throws: `InvalidStateError` for an ended, disabled or muted track; `TypeError` for a NaN or
    ///   infinite `imageWidth`/`imageHeight` (WebIDL's `double`); `NotSupportedError` for settings
    ///   outside ``getPhotoCapabilities()`` (both checked before the camera is touched);
    ///   `UnknownError` when the track ends during the capture, when the camera stops delivering frames
    ///   (none for four frame intervals plus a second: pending photos fail then, the track stays
    ///   live), or when no photo comes within ``Options/photoTimeout``; `AbortError` when the task is
    ///   cancelled.
    ///
    /// With ``Options/zeroShutterLag``, the photo is of the newest frame captured at or before the
    /// call (see the option for when it is not).
    public func takePhoto(_ photoSettings: PhotoSettings? = nil) async throws(DOMException) -> Blob {
        // Step 1: the readiness check, at call time.
        let (source, request) = try photoRequest(photoSettings)
        // Step 3, in parallel: take the photo.
        return try await source.takePhoto(request, settings: track.storedSettings)
    }

    /// `count` photos of distinct frames, as ``takePhoto(_:)`` takes one: with no `interval`, of
    /// consecutive frames (the shutter stays open for them); with one, of the first frame at or after
    /// each multiple of it from the burst's start (the call, unless photos queued before it run first). Each photo's ``Blob/metadata`` has its frame's capture time
    /// and number. Zero shutter lag does not apply.
    /// - Throws: `TypeError` for a count outside 1...100 or an interval outside 0...1 day; otherwise as
    ///   ``takePhoto(_:)`` (a failure fails the whole burst). The deadline grows by a frame interval
    ///   (or `interval`) per photo after the first.
    public func takePhotoBurst(
        count: Int, interval: Duration? = nil, _ photoSettings: PhotoSettings? = nil
    )
        async throws(DOMException) -> [Blob]
    {
        guard (1...100).contains(count) else {
            throw DOMException(.typeError, "A burst's count must be 1...100 (it is \(count)).")
        }
        if let interval, interval < .zero || interval > .seconds(86_400) {
            throw DOMException(.typeError, "A burst's interval must be 0 to 1 day (it is \(interval)).")
        }
        var (source, request) = try photoRequest(photoSettings)
        request.zeroShutterLag = false
        request.count = count
        request.interval = interval
        return try await source.takePhotos(request, settings: track.storedSettings)
    }

    /// A bracket: one photo per set of `sets`, in order, each of a frame captured with that set
    /// applied (its ``Blob/metadata`` settings show the set's values, and so does its EXIF), e.g.
    /// exposureCompensation -2, 0 and +2. Afterwards the controls the sets changed are back to their
    /// values before it, whatever happened, and ``MediaStreamTrack/getConstraints()`` is unchanged.
    /// A bare value in a set is exact, as in an advanced constraint set.
    /// - Throws: before any photo, `OverconstrainedError` for a set with a member the camera cannot
    ///   apply (a mode member such as width, a control it lacks, a value outside its capabilities),
    ///   and what ``takePhoto(_:)`` throws at its call; `AbortError` when the task is cancelled
    ///   (the settings restored); `UnknownError` as ``takePhoto(_:)``, or when no frame shows a set
    ///   within the photo deadline.
    public func takePhotoBracket(
        _ sets: [MediaTrackConstraintSet], _ photoSettings: PhotoSettings? = nil
    )
        async throws(DOMException) -> [Blob]
    {
        var (source, request) = try photoRequest(photoSettings)
        guard let (_, share) = track.video else { return [] }
        request.zeroShutterLag = false
        return try await source.takeBracket(sets, request, track: share, settings: track.storedSettings)
    }

    /// The readiness check and the photo settings checked and resolved into a request.
    private func photoRequest(_ photoSettings: PhotoSettings?) throws(DOMException) -> (VideoTrackSource, PhotoRequest) {
        let (source, _) = try readySource()
        let settings = photoSettings ?? PhotoSettings()
        let capabilities = source.photoCapabilities()
        try Self.validate(settings, against: capabilities)
        let current = source.photoSettings(streamSize: streamSize)
        let size = Self.photoSize(settings, current: current, aspect: streamAspect)
        return (
            source,
            PhotoRequest(
                size: size, quality: options.jpegQuality, timeout: options.photoTimeout,
                fillLightMode: settings.fillLightMode, redEyeReduction: settings.redEyeReduction, exif: options.exif,
                zeroShutterLag: options.zeroShutterLag)
        )
    }

    /// The rules the web-platform-tests check (`takePhoto-reject`), against the current capabilities.
    static func validate(_ settings: PhotoSettings, against capabilities: PhotoCapabilities) throws(DOMException) {
        func check(_ value: Double?, _ range: MediaSettingsRange?, _ name: String) throws(DOMException) {
            guard let value else { return }
            // WebIDL's `double`: NaN and the infinities are refused at the call, before any range check.
            guard value.isFinite else {
                throw DOMException(.typeError, "\(name) must be a finite number (it is \(value)).")
            }
            guard value >= 1, let range,
                value >= (range.min ?? -.infinity), value <= (range.max ?? .infinity)
            else {
                let allowed = range.map { "\(($0.min ?? 0).formatted)...\(($0.max ?? 0).formatted)" } ?? "none"
                throw DOMException(
                    .notSupportedError, "\(name) \(value.formatted) is outside the camera's range \(allowed); see getPhotoCapabilities().")
            }
        }
        try check(settings.imageWidth, capabilities.imageWidth, "imageWidth")
        try check(settings.imageHeight, capabilities.imageHeight, "imageHeight")
        if settings.redEyeReduction != nil, capabilities.redEyeReduction != .controllable {
            throw DOMException(
                .notSupportedError,
                "redEyeReduction cannot be set on this camera (its capability is '\(capabilities.redEyeReduction?.rawValue ?? "absent")'); leave it out."
            )
        }
        if let mode = settings.fillLightMode, !(capabilities.fillLightMode ?? []).contains(mode) {
            throw DOMException(
                .notSupportedError, "fillLightMode '\(mode.rawValue)' is not one of \((capabilities.fillLightMode ?? []).map(\.rawValue)).")
        }
    }

    /// The exact photo size: what was asked, the other side from the stream's aspect ratio, or the
    /// current photo size.
    static func photoSize(_ settings: PhotoSettings, current: PhotoSettings, aspect: Double) -> AspectCrop.Size {
        let width: Double, height: Double
        switch (settings.imageWidth, settings.imageHeight) {
        case let (w?, h?): (width, height) = (w, h)
        case let (w?, nil): (width, height) = (w, w / aspect)
        case let (nil, h?): (width, height) = (h * aspect, h)
        case (nil, nil): (width, height) = (current.imageWidth ?? 640, current.imageHeight ?? 480)
        }
        return AspectCrop.Size(width: max(1, Int(width.rounded())), height: max(1, Int(height.rounded())))
    }

    private var streamSize: AspectCrop.Size? { track.streamGeometry.size }

    private var streamAspect: Double { track.streamGeometry.aspectRatio ?? 4.0 / 3.0 }

    // MARK: - getPhotoCapabilities / getPhotoSettings

    /// W3C `getPhotoCapabilities()` (`#dom-imagecapture-getphotocapabilities`): the photo sizes the
    /// camera's modes allow, its fill-light modes (`[]` without a flash) and red-eye reduction.
    /// - Throws: `InvalidStateError` for an ended, disabled or muted track; `OperationError` when the
    ///   track ends (or is disabled or muted) while the data is gathered.
    public func getPhotoCapabilities() async throws(DOMException) -> PhotoCapabilities {
        let (source, _) = try readySource()
        try await gatherPhotoState(source)
        return source.photoCapabilities()
    }

    /// W3C `getPhotoSettings()` (`#dom-imagecapture-getphotosettings`): the current photo size (the
    /// stream's until a `takePhoto` chose another), fill-light mode and red-eye reduction.
    /// - Throws: as ``getPhotoCapabilities()``.
    public func getPhotoSettings() async throws(DOMException) -> PhotoSettings {
        let (source, _) = try readySource()
        try await gatherPhotoState(source)
        return source.photoSettings(streamSize: streamSize)
    }

    /// The "in parallel" part: asking the device (a slow one takes its time), then checking the track
    /// is still usable.
    private func gatherPhotoState(_ source: VideoTrackSource) async throws(DOMException) {
        try await source.gatherPhotoState()
        guard track.readyState == .live, track.enabled, !track.muted, !source.isEnded else {
            throw DOMException(.operationError, "The track ended or became inactive while the photo state was being read.")
        }
    }

    // MARK: - Readiness

    /// The track's source and its share of it, when the track can be used now.
    private func readySource() throws(DOMException) -> (VideoTrackSource, VideoTrackSource.Track) {
        guard track.readyState == .live else {
            throw DOMException(.invalidStateError, "The track has ended; open a new one with getUserMedia.")
        }
        guard track.enabled else {
            throw DOMException(.invalidStateError, "The track is disabled; set enabled = true first.")
        }
        guard !track.muted else {
            throw DOMException(
                .invalidStateError,
                "The track is muted (its camera is not delivering frames: reconfiguring, or a network camera reconnecting); try again after its unmute event."
            )
        }
        guard let video = track.video else {
            throw DOMException(.invalidStateError, "The track has no video source.")
        }
        return video
    }
}
