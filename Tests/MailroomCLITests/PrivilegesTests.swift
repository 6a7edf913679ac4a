// `mailroom serve` started as root with server.user: it binds a port below 1024 on loopback,
// runs as that user with no capability but CAP_NET_BIND_SERVICE, and the mail it delivers is
// that user's; admin commands run by root create the database and Maildirs as that user. Bad server.user values stop it with a message naming the key. The first test
// needs root (CI and these machines run tests as root) and Debian's `nobody`.

import Foundation
import Testing

@Suite("serve drops privileges", .serialized)
struct PrivilegesTests {
    /// A free 127.0.0.1 port below 1024 (root may bind them).
    static func lowPort() throws -> Int {
        for port in stride(from: 1000, to: 900, by: -1) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = CLI.loopback(port: port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { return port }
        }
        throw HarnessError("no free port between 901 and 1000")
    }

    /// /proc/<pid>/task/<thread>/status fields (credentials belong to threads).
    static func status(_ pid: Int32, thread: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    @Test(.enabled(if: geteuid() == 0 && getpwnam("nobody") != nil, "needs root and the user nobody"))
    func runsAsServerUserOnALowPort() throws {
        let port = try Self.lowPort()
        let s = try Sandbox(extra: """
            [server]
            user = "nobody"
            [smtp]
            mx_listen = "127.0.0.1:\(port)"
            submission_listen = ""
            submissions_listen = ""
            [tls]
            self_signed_dir = "tls"
            """)
        // Run by root, the admin commands become nobody too: what they create is the server's.
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        let nobody = getpwnam("nobody")!.pointee
        for (path, required) in [(s.databasePath, true), (s.databasePath + "-wal", false), (s.databasePath + "-shm", false),
                                 (s.mailRoot, true), (try s.maildir("alice", "example.com"), true)] {
            var st = stat()
            guard stat(path, &st) == 0 else {
                #expect(!required, "\(path) was not made")   // a WAL file may be gone after a clean close
                continue
            }
            #expect(st.st_uid == nobody.pw_uid, "\(path) belongs to uid \(st.st_uid)")
        }

        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["serve", "--config", s.configPath]
        server.currentDirectoryURL = URL(fileURLWithPath: s.root)
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try SMTPCrashTests.waitForListener(port)

        let uid = "\(nobody.pw_uid)"
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.processIdentifier)/task")
        #expect(threads.count > 1)
        for thread in threads {
            let status = Self.status(server.processIdentifier, thread: thread)
            guard !status.isEmpty else { continue }   // ended meanwhile
            #expect(status["Uid"]?.split(separator: "\t").map(String.init) == [uid, uid, uid, uid], "thread \(thread): \(status)")
            #expect(status["Groups"] == "\(nobody.pw_gid)", "thread \(thread): \(status)")
            #expect(status["CapEff"] == "0000000000000400", "thread \(thread): \(status)")
            #expect(status["CapPrm"] == "0000000000000400", "thread \(thread): \(status)")
        }

        let send = try CLI.run("/usr/bin/python3", ["-c", """
            import smtplib
            with smtplib.SMTP("127.0.0.1", \(port), timeout=30) as c:
                c.sendmail("a@example.net", ["alice@example.com"], b"Subject: low port\\r\\n\\r\\nhello\\r\\n")
            """], in: s.root, environment: s.environment())
        #expect(send.ok, "\(send.stderr)")
        let new = "\(try s.maildir("alice", "example.com"))/new"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []
        #expect(files.count == 1, "\(new): \(files)")
        if let file = files.first {
            var st = stat()
            #expect(stat("\(new)/\(file)", &st) == 0 && st.st_uid == nobody.pw_uid, "the message belongs to uid \(st.st_uid)")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "server.user is only looked at when started as root"),
          arguments: [("root", "is root"), ("no-such-user-here", "no user")])
    func refusesABadServerUser(user: String, problem: String) throws {
        let s = try Sandbox(extra: """
            [server]
            user = "\(user)"
            [smtp]
            mx_listen = "127.0.0.1:0"
            submission_listen = ""
            submissions_listen = ""
            """)
        let result = try s.mailroom("serve")
        #expect(!result.ok)
        #expect(result.stderr.contains("server.user"), "\(result.stderr)")
        #expect(result.stderr.contains(problem), "\(result.stderr)")
    }
}
