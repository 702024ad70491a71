import Hummingbird
import VigilUI

extension DashboardRoutes {
    /// Until the explore page is built: a helpful 404 that links to the API.
    func exploreResponse(_ request: Request) async -> Response {
        Self.html(
            .notFound,
            HTMLPage.errorPage(
                title: "Explore", message: "The explore page is not built yet.",
                links: [("/", "Fleet overview")]))
    }
}
