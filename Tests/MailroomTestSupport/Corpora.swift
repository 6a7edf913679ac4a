// Corpora — where the shared test corpora are, for every test target that reads them
// (MailroomSMTPTests, MailroomServerTests, MailroomConformanceTests). Looked for in this order:
//   1. the MAILROOM_CORPORA environment variable, if set and not empty;
//   2. ../shared/corpora beside the repository this file is in (as in CI; the repository root
//      is found from this file's #filePath, Tests/MailroomTestSupport/Corpora.swift);
//   3. /work/shared/corpora (a clone elsewhere on a development machine).
// Tests that need a corpus fail when none of them has it; they never skip (a missing corpus
// reads as the path beside the repository, so the failure names where it was expected).

import Foundation

public enum Corpora {
    /// The repository this file is in: two directories above Tests/MailroomTestSupport/.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Tests/MailroomTestSupport
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // the repository

    public static var root: URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["MAILROOM_CORPORA"], !env.isEmpty {
            candidates.append(URL(fileURLWithPath: env))
        }
        candidates.append(repositoryRoot.appendingPathComponent("../shared/corpora").standardizedFileURL)
        candidates.append(URL(fileURLWithPath: "/work/shared/corpora"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[candidates.count - 2]
    }

    /// `relative` inside the corpora root, e.g. "smtp-smuggling-cases".
    public static func path(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
