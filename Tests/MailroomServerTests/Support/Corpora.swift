// Where the shared test corpora are (../shared/corpora beside the repository, as in CI): the
// MAILROOM_CORPORA environment variable if set, else ../shared/corpora relative to the
// repository this file is in, else /work/shared/corpora (a clone elsewhere on a development
// machine). Tests that need a corpus fail when none of them has it; they never skip.

import Foundation

enum Corpora {
    static var root: URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["MAILROOM_CORPORA"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env))
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../../shared/corpora").standardizedFileURL)
        candidates.append(URL(fileURLWithPath: "/work/shared/corpora"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[candidates.count - 2]
    }

    static func path(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
