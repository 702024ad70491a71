import Hummingbird
import VigilUI

extension DashboardRoutes {
    /// Until the targets page is built: a helpful 404 that links to the API.
    func targetsResponse(_ request: Request) async -> Response {
        Self.html(
            .notFound,
            HTMLPage.errorPage(
                title: "Targets", message: "The targets page is not built yet.",
                links: [("/", "Fleet overview")]))
    }
}
