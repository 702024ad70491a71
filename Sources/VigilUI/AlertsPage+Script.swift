extension AlertsPage {
    /// The silence form with script: parses the matchers and the duration, posts Alertmanager's JSON to
    /// `POST /api/v2/silences`, shows `#silence-result` and fetches `main` again so the new row appears;
    /// expire buttons send `DELETE /api/v2/silence/{id}` the same way. Input the script cannot read (or a
    /// page without fetch) falls back to the plain form POST, so the server's error, with its position,
    /// is the one shown.
    static let silenceScript = #"""
        (function () {
          var form = document.getElementById('silence-form');
          var result = document.getElementById('silence-result');
          var errorBox = document.getElementById('silence-error');
          if (!form || !window.fetch) { return; }
          function showError(message) {
            errorBox.textContent = message;
            errorBox.hidden = false;
          }
          function reloadMain() {
            return fetch(location.href, { cache: 'no-store' })
              .then(function (response) { return response.text(); })
              .then(function (text) {
                var next = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
                var current = document.querySelector('main');
                if (next && current) { current.replaceWith(next); }
              });
          }
          var units = { y: 31536000000, w: 604800000, d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };
          function duration(text) {
            var match = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
            if (!match || text === '') { return null; }
            var names = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
            var total = 0;
            for (var i = 0; i < names.length; i++) {
              if (match[i + 1]) { total += Number(match[i + 1]) * units[names[i]]; }
            }
            return total;
          }
          function matchers(text) {
            var body = text.trim();
            if (body.charAt(0) === '{' && body.charAt(body.length - 1) === '}') { body = body.slice(1, -1); }
            var pattern = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,"]*?))\s*(?:,|$)/y;
            var out = [];
            while (pattern.lastIndex < body.length) {
              var start = pattern.lastIndex;
              var match = pattern.exec(body);
              if (!match || pattern.lastIndex === start) { return null; }
              var value = match[3] !== undefined
                ? match[3].replace(/\\(.)/g, function (all, c) {
                    return c === 'n' ? '\n' : (c === '"' || c === '\\') ? c : all;
                  })
                : match[4];
              out.push({ name: match[1], value: value, isRegex: match[2].charAt(1) === '~',
                         isEqual: match[2].charAt(0) !== '!' });
            }
            return out.length ? out : null;
          }
          form.addEventListener('submit', function (event) {
            var fields = form.elements;
            var list = matchers(fields.matchers.value);
            var millis = duration(fields.duration.value.trim());
            var startText = fields.startsAt.value.trim();
            var starts = startText && startText !== 'now' ? new Date(startText) : new Date();
            if (!list || millis === null || millis <= 0 || isNaN(starts.getTime())
                || !fields.createdBy.value.trim()) {
              return;
            }
            event.preventDefault();
            var silence = {
              matchers: list, startsAt: starts.toISOString(),
              endsAt: new Date(starts.getTime() + millis).toISOString(),
              createdBy: fields.createdBy.value, comment: fields.comment.value
            };
            fetch('/api/v2/silences', {
              method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(silence)
            })
              .then(function (response) {
                return response.json().then(function (json) { return { ok: response.ok, json: json }; });
              })
              .then(function (answer) {
                if (!answer.ok) {
                  showError(typeof answer.json === 'string' ? answer.json : JSON.stringify(answer.json));
                  return;
                }
                var id = answer.json.silenceID;
                errorBox.hidden = true;
                result.textContent = 'Created silence ' + id + '.';
                result.setAttribute('data-silence-id', id);
                result.hidden = false;
                return reloadMain();
              })
              .catch(function (error) { showError('The silence could not be created: ' + error); });
          });
          document.addEventListener('submit', function (event) {
            var target = event.target;
            if (!target.classList || !target.classList.contains('expire-form')) { return; }
            event.preventDefault();
            var id = target.getAttribute('data-silence-id');
            fetch('/api/v2/silence/' + encodeURIComponent(id), { method: 'DELETE' })
              .then(function (response) {
                if (!response.ok) { throw new Error('HTTP ' + response.status); }
                return reloadMain();
              })
              .catch(function (error) { showError('The silence could not be expired: ' + error); });
          });
        })();

        """#

    /// The page's own style (added to the shared one).
    static let pageStyle = """
        .alert-filter { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.8rem 1.2rem 0; }
        .state-switch { display: flex; gap: 0.4rem; }
        .state-switch a { padding: 0.2rem 0.7rem; border: 1px solid #c5ccd8; border-radius: 4px; color: #1d2330; text-decoration: none; }
        .state-switch a[aria-current] { background: #1d2330; color: #fff; border-color: #1d2330; }
        .severity-group { border-left: 6px solid #8a94a6; }
        .severity-group.sev-critical { border-left-color: #b42318; border-left-style: double; border-left-width: 8px; }
        .severity-group.sev-error { border-left-color: #c4320a; }
        .severity-group.sev-warning { border-left-color: #b88100; border-left-style: dashed; }
        .severity-group.sev-info { border-left-color: #2e6fb7; border-left-style: dotted; }
        .sev-symbol { font-size: 0.9em; }
        .sev-critical .sev-symbol { color: #b42318; }
        .sev-warning .sev-symbol { color: #b88100; }
        h3, h4 { margin: 0.4rem 0; font-size: 0.95rem; }
        h3 .count, h4 .count { color: #555e6e; font-weight: normal; }
        table.alerts, table.silences, table.inhibited { border-collapse: collapse; width: 100%; margin-bottom: 0.6rem; }
        table th { text-align: left; font-weight: 600; color: #555e6e; border-bottom: 1px solid #dfe3ea; padding: 0.2rem 0.4rem; }
        table td { vertical-align: top; border-bottom: 1px solid #eef0f4; padding: 0.3rem 0.4rem; }
        .state-badge { white-space: nowrap; padding: 0 0.4rem; border-radius: 3px; border: 1px solid; }
        .state-badge.firing { background: #fde8e8; border-color: #b42318; font-weight: bold; }
        .state-badge.pending { background: #fff; border-color: #b88100; border-style: dashed; }
        .label { display: inline-block; background: #eef1f6; border-radius: 3px; padding: 0 0.3rem; margin: 0 0.2rem 0.2rem 0; font-size: 0.85em; }
        .label .name { color: #555e6e; }
        .age, .error-position { color: #555e6e; }
        .annotation { margin: 0 0 0.2rem; }
        .annotation.description { color: #3b4453; font-size: 0.9em; }
        .runbook, .silenced, .inhibited { margin: 0; font-size: 0.9em; }
        .banner.info { background: #e6f0fb; border-color: #2e6fb7; margin: 0 0 0.8rem; }
        #new-silence { margin: 0 1.2rem 1rem; }
        #silence-form { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0.6rem; align-items: start; }
        #silence-form label:first-of-type { grid-column: 1 / -1; }
        #silence-form button { justify-self: start; align-self: end; padding: 0.3rem 1rem; }
        #silence-form label span { display: block; font-weight: 600; }
        #silence-form input { width: 100%; box-sizing: border-box; }
        #silence-form input[aria-invalid] { border: 2px solid #b42318; }
        #silence-form small { color: #555e6e; }
        pre.error-at { margin: 0.3rem 0 0; overflow-x: auto; }
        code.matcher, td.since time { white-space: nowrap; }
        h2 .summary { font-weight: normal; color: #555e6e; margin-left: 0.5rem; }

        """
}
