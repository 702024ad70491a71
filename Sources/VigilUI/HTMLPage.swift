/// The frame every dashboard page shares (head, style, navigation, the refresh script) and the text helpers
/// pages build with: escaping, percent-encoding, natural ordering of node names.
public enum HTMLPage {
    /// `text` safe in HTML text and in quoted attribute values (`&`, `<`, `>`, `"`, `'` as entities).
    public static func escape(_ text: String) -> String { SVGWriter.escape(text) }

    /// `text` with everything but RFC 3986's unreserved characters percent-encoded (UTF-8), for one path
    /// segment or query value.
    public static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            let unreserved =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
            if unreserved {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Orders names as a person would: runs of digits compare as numbers (`node-2` < `node-10`, `7` < `12`).
    public static func naturalOrder(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator()
        var j = b.unicodeScalars.makeIterator()
        var x = i.next()
        var y = j.next()
        while let cx = x, let cy = y {
            if cx.properties.numericType == .decimal, cy.properties.numericType == .decimal, cx.isASCII, cy.isASCII {
                var nx = "", ny = ""
                while let d = x, d.isASCII, d.properties.numericType == .decimal {
                    nx.unicodeScalars.append(d)
                    x = i.next()
                }
                while let d = y, d.isASCII, d.properties.numericType == .decimal {
                    ny.unicodeScalars.append(d)
                    y = j.next()
                }
                let tx = nx.drop { $0 == "0" }, ty = ny.drop { $0 == "0" }
                if tx.count != ty.count { return tx.count < ty.count }
                if tx != ty { return tx < ty }
                if nx.count != ny.count { return nx.count < ny.count }
                continue
            }
            if cx != cy { return cx.value < cy.value }
            x = i.next()
            y = j.next()
        }
        return x == nil && y != nil
    }

    /// The dashboard's pages in the navigation bar: path and name.
    public static let navigation: [(path: String, name: String)] = [
        ("/", "Fleet overview"), ("/ui/alerts", "Alerts"), ("/ui/jobs", "Jobs"), ("/ui/explore", "Explore"),
        ("/ui/targets", "Targets"),
        ("/ui/status", "Status"),
    ]

    /// A page's opening: doctype, head with the shared style plus the page's own `style`, the banner the
    /// refresh script shows while the server cannot be reached, and the navigation with `current` (a path of
    /// ``navigation``) marked. Without script, `refreshSeconds` reloads the whole page.
    public static func header(title: String, refreshSeconds: Int?, style pageStyle: String = "", current: String? = nil)
        -> String
    {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>" + escape(title) + " · Vigil</title>\n"
        // No favicon request (the browser would log the 404 as a console error on every page).
        html += "<link rel=\"icon\" href=\"data:,\">\n"
        if let refreshSeconds, refreshSeconds > 0 {
            html += "<noscript><meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\"></noscript>\n"
        }
        html += "<style>\n" + style + pageStyle + "</style>\n</head>\n<body>\n"
        html += "<header><a class=\"brand\" href=\"/\">Vigil</a><nav>"
        for page in navigation {
            let marked = page.path == current ? " aria-current=\"page\"" : ""
            html += "<a href=\"\(page.path)\"\(marked)>\(escape(page.name))</a>"
        }
        html += "</nav>"
        html += "<h1>" + escape(title) + "</h1></header>\n"
        html +=
            "<p id=\"offline\" class=\"banner error\" role=\"alert\" hidden>The server cannot be reached; "
            + "retrying. The values below are from the last successful refresh.</p>\n"
        return html
    }

    /// A page's closing, with the refresh script when `refreshSeconds` is positive (it fetches the page
    /// again, swaps its `main` element in and shows the offline banner while fetches fail) and always
    /// ``ChartScript`` (hover read-out, synced crosshair, drag to zoom, legend toggles for every
    /// `svg.vigil-timeseries`; it does nothing on a page without charts).
    public static func footer(refreshSeconds: Int?) -> String {
        var html = "<script id=\"vigil-chart-script\">\n" + ChartScript.source + "</script>\n"
        if let refreshSeconds, refreshSeconds > 0 {
            html +=
                "<script>\n(function () {\n  var every = \(refreshSeconds * 1000);\n" + refreshScript
                + "})();\n</script>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }

    /// A helpful error page (404 for an unknown node or page, 400 for a bad parameter): what was asked for,
    /// why there is nothing, and links to go on.
    public static func errorPage(title: String, message: String, links: [(href: String, text: String)]) -> String {
        var html = header(title: title, refreshSeconds: nil)
        html += "<main id=\"error\">\n<p class=\"message\">" + escape(message) + "</p>\n<ul class=\"links\">\n"
        for link in links {
            html += "<li><a href=\"" + escape(link.href) + "\">" + escape(link.text) + "</a></li>\n"
        }
        html += "</ul>\n</main>\n"
        html += footer(refreshSeconds: nil)
        return html
    }

    static let refreshScript = """
          var banner = document.getElementById('offline');
          function refresh() {
            fetch(location.href, { cache: 'no-store' })
              .then(function (response) {
                if (!response.ok) { throw new Error('HTTP ' + response.status); }
                return response.text();
              })
              .then(function (text) {
                var next = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
                var current = document.querySelector('main');
                if (next && current) {
                  // Folded sections stay as the reader left them.
                  var open = {};
                  current.querySelectorAll('details[id]').forEach(function (d) { open[d.id] = d.open; });
                  current.replaceWith(next);
                  next.querySelectorAll('details[id]').forEach(function (d) {
                    if (d.id in open) { d.open = open[d.id]; }
                  });
                }
                banner.hidden = true;
              })
              .catch(function () { banner.hidden = false; })
              .finally(function () { setTimeout(refresh, every); });
          }
          setTimeout(refresh, every);

        """

    static let style = """
        body { margin: 0; font-family: system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
        header { display: flex; align-items: baseline; gap: 1.5rem; padding: 0.6rem 1.2rem; background: #1d2330; color: #fff; }
        header a { color: #dfe6f3; text-decoration: none; }
        header nav { display: flex; gap: 1rem; }
        header nav a[aria-current] { color: #fff; border-bottom: 2px solid #fff; }
        header .brand { font-weight: bold; font-size: 1.2rem; color: #fff; }
        header h1 { margin: 0 0 0 auto; font-size: 1rem; font-weight: normal; color: #aab4c6; }
        main { padding: 1rem 1.2rem; }
        .banner { margin: 0.6rem 1.2rem; padding: 0.5rem 0.8rem; border-radius: 4px; border-left: 6px solid; }
        .banner.error { background: #fde8e8; border-color: #b42318; }
        .banner.warning { background: #fff4d6; border-color: #b88100; margin: 0 0 0.8rem; }
        .counters { display: flex; flex-wrap: wrap; gap: 0.8rem; margin-bottom: 1rem; }
        .counter { background: #fff; border-radius: 6px; padding: 0.6rem 1rem; min-width: 8.5rem; border-top: 4px solid #8a94a6; box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
        .counter .value { display: block; font-size: 1.9rem; font-weight: bold; }
        .counter .label { color: #555e6e; }
        .counter.busy { border-top-color: #2a7f62; }
        .counter.idle { border-top-color: #8a94a6; border-top-style: dashed; }
        .counter.unhealthy { border-top-color: #b42318; border-top-style: double; border-top-width: 6px; }
        .counter.allocated-idle { border-top-color: #b35c00; border-top-style: dotted; border-top-width: 5px; }
        .counter.power { border-top-color: #b88100; }
        section { background: #fff; border-radius: 6px; padding: 0.6rem 1rem; margin-bottom: 1rem; box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
        .counters { background: none; box-shadow: none; padding: 0; }
        h2 { font-size: 1rem; margin: 0.2rem 0 0.5rem; }
        .alerts ul { list-style: none; display: flex; gap: 1rem; padding: 0; margin: 0; }
        .alerts .count { font-weight: bold; font-size: 1.3rem; }
        .alerts [data-severity="page"] .count, .alerts [data-severity="critical"] .count { color: #b42318; }
        .metric-switch { display: flex; gap: 0.4rem; margin-bottom: 0.5rem; }
        .metric-switch a { padding: 0.2rem 0.7rem; border: 1px solid #c5ccd8; border-radius: 4px; color: #1d2330; text-decoration: none; }
        .metric-switch a[aria-current] { background: #1d2330; color: #fff; border-color: #1d2330; }
        .panels { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
        .panels section { margin-bottom: 0; }
        .panels .alerts { flex: 1 1 18rem; }
        .heatmap { overflow-x: auto; max-width: 100%; }
        .heatmap svg a:hover rect.cell { stroke: #000; stroke-width: 1.5; }
        .updated, .none { color: #555e6e; }

        """
}
