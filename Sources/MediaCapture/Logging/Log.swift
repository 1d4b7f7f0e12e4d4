// Part of swift-media-capture, under the Apache License 2.0 (see LICENSE).

import Logging

/// The library's log: swift-log's `Logger` labelled `media-capture`, which the application routes and
/// levels with `LoggingSystem.bootstrap`. At the default `info` level it is quiet: decisions (the
/// device and mode opened, a control write refused and why, device changes) are `debug`; a network
/// camera's reconnects are `notice`; GStreamer's warnings and errors from the library's pipelines and
/// a pipeline abandoned as wedged are `warning` and `error`. Never a credential.
enum Log {
    static let label = "media-capture"

    /// Made per use: the application may bootstrap the logging system after the library first logged.
    static var logger: Logger { Logger(label: label) }

    /// `text` without the `user:password@` of any URL in it (GStreamer's messages can quote one).
    static func redacted(_ text: String) -> String {
        let characters = Array(text)
        var result = "", index = 0
        while index < characters.count {
            result.append(characters[index])
            guard index + 2 < characters.count, characters[index] == ":", characters[index + 1] == "/", characters[index + 2] == "/" else {
                index += 1
                continue
            }
            result += "//"
            index += 3
            // The authority runs to the next slash or blank; its last `@` ends the credentials.
            var end = index
            while end < characters.count, !"/ \n\t\"'".contains(characters[end]) { end += 1 }
            if let at = characters[index..<end].lastIndex(of: "@") {
                result += "[redacted]"
                index = at
            }
        }
        return result
    }
}
