// mailroom — the one binary: `mailroom serve`, the admin commands, and the vpopmail-compatible
// names (vadddomain, vadduser, …) when invoked through a link of that name.
// Security: run the admin commands as the user that owns the mail tree and the database (or
// root); started as root with server.user set, every command but install-links and config
// becomes that user before anything else runs (Privileges).

import MailroomCLI
import NIOCore
import NIOPosix

// While the process has one thread: later threads inherit the credentials.
Privileges.adopt(CommandLine.arguments)

// Swift tasks run on NIO's event loops, so a store lookup or a protocol handler does not hop
// between the cooperative pool and the loop threads (each hop is a thread wake-up).
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

await Entry.main()
