import Hummingbird
import VigilUI

extension DashboardRoutes {
    /// Until the alerts page is built: a helpful 404 that links to the API.
    func alertsResponse(_ request: Request) async -> Response {
        Self.html(
            .notFound,
            HTMLPage.errorPage(
                title: "Alerts", message: "The alerts page is not built yet.",
                links: [("/", "Fleet overview")]))
    }
}
