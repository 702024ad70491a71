import Hummingbird
import VigilUI

extension DashboardRoutes {
    /// Until the status page is built: a helpful 404 that links to the API.
    func statusResponse(_ request: Request) async -> Response {
        Self.html(
            .notFound,
            HTMLPage.errorPage(
                title: "Status", message: "The status page is not built yet.",
                links: [("/", "Fleet overview")]))
    }
}
