// AccountStore+Logins — the last-login record every protocol writes after a successful login
// (users.last_login_at, last_login_service, last_login_ip), without making the client wait.

import MailroomCore
import MailroomStore

extension AccountStore {
    /// Records the login in a task of its own; a failure is not the client's concern.
    func recordLoginInBackground(_ user: User, service: Service, client: IPAddress?) {
        guard let address = try? EmailAddress(user.address) else { return }
        Task { try? await self.recordLogin(address, service: service, ip: client?.description) }
    }
}
