// mailroom — the one binary: `mailroom serve`, the admin commands, and the vpopmail-compatible
// names (vadddomain, vadduser, …) when invoked through a link of that name.
// Security: run the admin commands as the user that owns the mail tree and the database (or
// root); `serve` drops privileges once listeners exist (see docs/design.md).

import MailroomCLI

await Entry.main()
