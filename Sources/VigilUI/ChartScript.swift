/// The dashboard's chart interactions, hand-written JavaScript that ``HTMLPage/footer(refreshSeconds:)`` puts
/// on every page.
///
/// It works on every `svg.vigil-timeseries` that ``TimeSeriesChart`` renders, through event handlers on
/// `document` (so charts that the refresh script swaps in work without setting up again), and does nothing on
/// a page without charts:
/// - hover: a read-out with the time and every visible series' value at the nearest point, in the chart's
///   unit (the same text as ``ChartUnit/format(_:)``), and a crosshair at that time on every chart of the page;
/// - drag across the plot: a selection band; on release the page loads again with `start` and `end` (unix
///   seconds) for the selection and without `range`; a double-click zooms out twice as wide around the centre;
/// - legend: a click hides or shows that series, a shift-click shows only it (again: all);
/// - keyboard: charts take the focus; arrow keys move the read-out point by point, Home and End jump to the
///   ends, Escape hides it.
///
/// `window.vigilCharts` exposes `format(unit, value)` and `formatTime(ms)` so that tests can compare them
/// with ``ChartUnit``.
public enum ChartScript {
    /// The script, without the surrounding `<script>` element; it contains no `</`.
    public static let source = #"""
        (function () {
          'use strict';
          if (window.vigilCharts) { return; }
          var NS = 'http://www.w3.org/2000/svg';
          var CHART = 'svg.vigil-timeseries';
          var models = new WeakMap();
          var hidden = {};
          var drag = null;
          var current = null;
          var readout = null;

          // Units, as ChartUnit.format writes them.
          function pow10(e) { var r = Math.pow(10, Math.abs(e)); return e < 0 ? 1 / r : r; }
          function floorLog10(x) {
            var e = Math.floor(Math.log10(x));
            if (pow10(e) > x) { e -= 1; } else if (pow10(e + 1) <= x) { e += 1; }
            return e;
          }
          function fixed(v, decimals) {
            if (!isFinite(v)) { return isNaN(v) ? 'NaN' : (v > 0 ? '+Inf' : '-Inf'); }
            var digits = Math.min(Math.max(decimals, 0), 9);
            var power = Math.pow(10, digits);
            var scaled = Math.round(Math.abs(v) * power);
            if (scaled >= 9e18) { return String(v); }
            var text = (v < 0 && scaled !== 0 ? '-' : '') + String(Math.floor(scaled / power));
            if (digits > 0) {
              var fraction = String(scaled % power);
              while (fraction.length < digits) { fraction = '0' + fraction; }
              text += '.' + fraction;
            }
            return text;
          }
          function trimmed(v, decimals) {
            var text = fixed(v, decimals);
            if (text.indexOf('.') < 0 || !isFinite(v)) { return text; }
            text = text.replace(/0+$/, '');
            return text.replace(/\.$/, '');
          }
          function significant(v) {
            if (!isFinite(v) || v === 0) { return isFinite(v) ? '0' : fixed(v, 0); }
            return trimmed(v, Math.max(0, 2 - floorLog10(Math.abs(v))));
          }
          var SI = [[18, 'E'], [15, 'P'], [12, 'T'], [9, 'G'], [6, 'M'], [3, 'k'], [0, ''], [-3, 'm'],
            [-6, '\u00b5'], [-9, 'n'], [-12, 'p']];
          function si(m, symbol, separator) {
            if (!(m > 0)) { return [1, separator + symbol]; }
            for (var i = 0; i < SI.length; i++) {
              var d = pow10(SI[i][0]);
              if (m >= d) { return [d, separator + SI[i][1] + symbol]; }
            }
            return [pow10(-12), separator + 'p' + symbol];
          }
          var BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
          function binary(m, perSecond) {
            var d = 1, i = 0;
            while (i + 1 < BINARY.length && m >= d * 1024) { d *= 1024; i += 1; }
            return [d, ' ' + BINARY[i] + (perSecond ? '/s' : '')];
          }
          function scale(unit, magnitude) {
            var m = isFinite(magnitude) ? Math.abs(magnitude) : 0;
            switch (unit) {
              case 'watts': return si(m, 'W', ' ');
              case 'perSecond': var s = si(m, '', ''); return [s[0], s[1] + '/s'];
              case 'bytes': return binary(m, false);
              case 'bytesPerSecond': return binary(m, true);
              case 'percent': return [1, '%'];
              case 'ratio': return [0.01, '%'];
              case 'celsius': return [1, ' \u00b0C'];
              case 'seconds':
                if (m >= 86400) { return [86400, ' d']; }
                if (m >= 3600) { return [3600, ' h']; }
                if (m >= 60) { return [60, ' min']; }
                if (m >= 1 || m === 0) { return [1, ' s']; }
                return si(m, 's', ' ');
              default: return si(m, '', '');
            }
          }
          function format(unit, value) {
            if (!isFinite(value)) { return fixed(value, 0); }
            var s = scale(unit, value);
            var text = significant(value / s[0]);
            var rounded = Math.abs(parseFloat(text));
            var next = scale(unit, rounded * s[0]);
            if (next[0] !== s[0]) { return significant(value / next[0]) + next[1]; }
            return text + s[1];
          }
          function formatTime(ms) {
            var text = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
            return text.replace(/\.000$/, '') + ' UTC';
          }

          // A chart's geometry and data, read once from its attributes.
          function numbers(text) { return text ? text.split(',').map(Number) : []; }
          function model(svg) {
            var m = models.get(svg);
            if (m) { return m; }
            var frame = svg.querySelector('rect.plot-frame');
            if (!frame) { return null; }
            var range = (svg.getAttribute('data-value-range') || '').split(' ').map(Number);
            m = {
              svg: svg, key: svg.getAttribute('aria-labelledby') || '',
              start: Number(svg.getAttribute('data-start')), end: Number(svg.getAttribute('data-end')),
              unit: svg.getAttribute('data-unit') || 'none',
              x: Number(frame.getAttribute('x')), y: Number(frame.getAttribute('y')),
              w: Number(frame.getAttribute('width')), h: Number(frame.getAttribute('height')),
              low: range.length === 2 ? range[0] : NaN, high: range.length === 2 ? range[1] : NaN,
              series: [], overlay: null, at: null
            };
            if (!(m.end > m.start) || !(m.w > 0)) { return null; }
            var paths = svg.querySelectorAll('g.series path[data-series]');
            for (var i = 0; i < paths.length; i++) {
              var title = paths[i].querySelector('title');
              m.series.push({
                index: paths[i].getAttribute('data-series'), path: paths[i],
                name: title ? title.textContent : '', color: paths[i].getAttribute('stroke') || '#000',
                dashed: !!paths[i].getAttribute('stroke-dasharray'),
                t: numbers(paths[i].getAttribute('data-t')), v: numbers(paths[i].getAttribute('data-v'))
              });
            }
            models.set(svg, m);
            return m;
          }
          function chartOf(node) {
            return node && node.closest ? node.closest(CHART) : null;
          }
          function visible(m) {
            var off = hidden[m.key] || {};
            return m.series.filter(function (s) { return !off[s.index]; });
          }
          function xOf(m, t) { return m.x + (t - m.start) / (m.end - m.start) * m.w; }
          function tOf(m, x) { return m.start + (x - m.x) / m.w * (m.end - m.start); }
          function yOf(m, v) {
            if (!(m.high > m.low)) { return null; }
            var y = m.y + m.h - (v - m.low) / (m.high - m.low) * m.h;
            return Math.min(Math.max(y, m.y), m.y + m.h);
          }
          function local(svg, event) {
            var matrix = svg.getScreenCTM();
            if (!matrix) { return null; }
            var point = svg.createSVGPoint();
            point.x = event.clientX;
            point.y = event.clientY;
            return point.matrixTransform(matrix.inverse());
          }
          function nearest(list, t) {
            var lo = 0, hi = list.length - 1;
            if (hi < 0) { return -1; }
            while (lo < hi) {
              var mid = (lo + hi) >> 1;
              if (list[mid] < t) { lo = mid + 1; } else { hi = mid; }
            }
            if (lo > 0 && t - list[lo - 1] <= list[lo] - t) { return lo - 1; }
            return lo;
          }
          // The drawn timestamp nearest to t over the visible series.
          function snap(m, t) {
            var best = null;
            visible(m).forEach(function (s) {
              var i = nearest(s.t, t);
              if (i >= 0 && (best === null || Math.abs(s.t[i] - t) < Math.abs(best - t))) { best = s.t[i]; }
            });
            return best;
          }
          // The next drawn timestamp after (direction 1) or before (-1) t.
          function neighbour(m, t, direction) {
            var best = null;
            visible(m).forEach(function (s) {
              for (var i = nearest(s.t, t), n = 0; i >= 0 && i < s.t.length && n < 3; i += direction, n++) {
                if ((s.t[i] - t) * direction > 0) {
                  if (best === null || (s.t[i] - best) * direction < 0) { best = s.t[i]; }
                  break;
                }
              }
            });
            return best;
          }

          function overlay(m) {
            if (m.overlay && m.overlay.parentNode === m.svg) { return m.overlay; }
            var g = document.createElementNS(NS, 'g');
            g.setAttribute('class', 'vigil-overlay');
            g.setAttribute('pointer-events', 'none');
            m.svg.appendChild(g);
            m.overlay = g;
            return g;
          }
          function clearMarks(m) {
            if (!m.overlay) { return; }
            m.overlay.querySelectorAll('.vigil-crosshair, .vigil-point').forEach(function (e) { e.remove(); });
          }
          function mark(m, t) {
            clearMarks(m);
            if (t === null || t < m.start || t > m.end) { return []; }
            var g = overlay(m);
            var x = xOf(m, t);
            var line = document.createElementNS(NS, 'line');
            line.setAttribute('class', 'vigil-crosshair');
            line.setAttribute('x1', x); line.setAttribute('x2', x);
            line.setAttribute('y1', m.y); line.setAttribute('y2', m.y + m.h);
            line.setAttribute('stroke', '#1d2330'); line.setAttribute('stroke-dasharray', '3 2');
            line.setAttribute('data-t', String(t));
            g.appendChild(line);
            var tolerance = (m.end - m.start) / m.w * 6;
            var rows = [];
            visible(m).forEach(function (s) {
              var i = nearest(s.t, t);
              var near = i >= 0 && Math.abs(s.t[i] - t) <= tolerance;
              rows.push({ series: s, value: near ? s.v[i] : null });
              var y = near ? yOf(m, s.v[i]) : null;
              if (y !== null) {
                var dot = document.createElementNS(NS, 'circle');
                dot.setAttribute('class', 'vigil-point');
                dot.setAttribute('cx', xOf(m, s.t[i])); dot.setAttribute('cy', y); dot.setAttribute('r', 3);
                dot.setAttribute('fill', s.color); dot.setAttribute('stroke', '#fff');
                g.appendChild(dot);
              }
            });
            return rows;
          }

          function readoutElement() {
            if (readout && readout.isConnected) { return readout; }
            readout = document.createElement('div');
            readout.className = 'vigil-readout';
            readout.setAttribute('role', 'status');
            readout.hidden = true;
            document.body.appendChild(readout);
            return readout;
          }
          function show(m, t) {
            m.at = t;
            current = m;
            var rows = [];
            document.querySelectorAll(CHART).forEach(function (svg) {
              var other = model(svg);
              if (!other) { return; }
              var r = mark(other, t);
              if (other === m) { rows = r; }
            });
            var box = readoutElement();
            box.textContent = '';
            if (t === null) { box.hidden = true; return; }
            box.setAttribute('data-t', String(t));
            box.setAttribute('data-chart', m.key);
            var head = document.createElement('div');
            head.className = 'time';
            head.textContent = formatTime(t);
            box.appendChild(head);
            var limit = 12;
            rows.slice(0, limit).forEach(function (row) {
              var line = document.createElement('div');
              line.className = 'row';
              line.setAttribute('data-series', row.series.index);
              var swatch = document.createElement('span');
              swatch.className = 'swatch';
              swatch.style.borderTopColor = row.series.color;
              swatch.style.borderTopStyle = row.series.dashed ? 'dashed' : 'solid';
              var name = document.createElement('span');
              name.className = 'name';
              name.textContent = row.series.name;
              var value = document.createElement('span');
              value.className = 'value';
              value.textContent = row.value === null ? '\u2013' : format(m.unit, row.value);
              line.appendChild(swatch); line.appendChild(name); line.appendChild(value);
              box.appendChild(line);
            });
            if (rows.length > limit) {
              var more = document.createElement('div');
              more.className = 'more';
              more.textContent = '\u2026 and ' + (rows.length - limit) + ' more';
              box.appendChild(more);
            }
            box.hidden = false;
            var matrix = m.svg.getScreenCTM();
            if (matrix) {
              var point = m.svg.createSVGPoint();
              point.x = xOf(m, t); point.y = m.y;
              var at = point.matrixTransform(matrix);
              var left = at.x + 12;
              if (left + box.offsetWidth > document.documentElement.clientWidth) { left = at.x - 12 - box.offsetWidth; }
              box.style.left = Math.max(0, left + window.scrollX) + 'px';
              box.style.top = (at.y + window.scrollY) + 'px';
            }
          }
          function hide() {
            document.querySelectorAll(CHART).forEach(function (svg) {
              var m = models.get(svg);
              if (m) { clearMarks(m); m.at = null; }
            });
            if (readout) { readout.hidden = true; }
            current = null;
          }

          // Drag to zoom and double-click to zoom out: the page again with start and end in unix seconds.
          function navigate(startMs, endMs) {
            var url = new URL(location.href);
            var start = Math.floor(startMs / 1000), end = Math.ceil(endMs / 1000);
            if (end <= start) { end = start + 1; }
            url.searchParams.delete('range');
            url.searchParams.set('start', String(start));
            url.searchParams.set('end', String(end));
            location.assign(url.toString());
          }
          function clampX(m, x) { return Math.min(Math.max(x, m.x), m.x + m.w); }
          function band(m, x0, x1) {
            var g = overlay(m);
            var rect = g.querySelector('.vigil-zoom-band');
            if (!rect) {
              rect = document.createElementNS(NS, 'rect');
              rect.setAttribute('class', 'vigil-zoom-band');
              rect.setAttribute('fill', 'rgba(0, 114, 178, 0.15)');
              rect.setAttribute('stroke', '#0072B2');
              g.appendChild(rect);
            }
            rect.setAttribute('x', Math.min(x0, x1)); rect.setAttribute('width', Math.abs(x1 - x0));
            rect.setAttribute('y', m.y); rect.setAttribute('height', m.h);
          }

          // Legend toggles; the hidden series are kept per chart across refreshes of the page.
          function apply(m) {
            var off = hidden[m.key] || {};
            m.series.forEach(function (s) { s.path.style.display = off[s.index] ? 'none' : ''; });
            m.svg.querySelectorAll('g.legend-entry[data-series]').forEach(function (entry) {
              var isOff = !!off[entry.getAttribute('data-series')];
              entry.classList.toggle('vigil-off', isOff);
              entry.setAttribute('aria-pressed', isOff ? 'false' : 'true');
            });
          }
          function toggle(m, index, solo) {
            var off = hidden[m.key] || {};
            if (solo) {
              var alone = !off[index] && m.series.every(function (s) { return s.index === index || off[s.index]; });
              off = {};
              if (!alone) { m.series.forEach(function (s) { if (s.index !== index) { off[s.index] = true; } }); }
            } else if (off[index]) {
              delete off[index];
            } else {
              off[index] = true;
            }
            hidden[m.key] = off;
            apply(m);
            if (current === m && m.at !== null) { show(m, m.at); }
          }

          document.addEventListener('mousemove', function (event) {
            if (drag) {
              if (!drag.m.svg.isConnected) { drag = null; return; }
              var p = local(drag.m.svg, event);
              if (p) { drag.x1 = clampX(drag.m, p.x); band(drag.m, drag.x0, drag.x1); }
            }
            var svg = chartOf(event.target);
            var m = svg && model(svg);
            if (!m) { if (current) { hide(); } return; }
            var q = local(svg, event);
            if (!q || q.x < m.x || q.x > m.x + m.w || q.y < m.y || q.y > m.y + m.h) { if (current) { hide(); } return; }
            show(m, snap(m, tOf(m, q.x)));
          });
          document.addEventListener('mouseout', function (event) {
            var svg = chartOf(event.target);
            if (svg && chartOf(event.relatedTarget) !== svg && !drag) { hide(); }
          });
          document.addEventListener('mousedown', function (event) {
            if (event.button !== 0) { return; }
            var svg = chartOf(event.target);
            var m = svg && model(svg);
            if (!m || event.target.closest('g.legend')) { return; }
            var p = local(svg, event);
            if (!p || p.x < m.x || p.x > m.x + m.w || p.y < m.y || p.y > m.y + m.h) { return; }
            event.preventDefault();
            drag = { m: m, x0: p.x, x1: p.x };
          });
          document.addEventListener('mouseup', function () {
            if (!drag) { return; }
            var d = drag;
            drag = null;
            var rect = d.m.overlay && d.m.overlay.querySelector('.vigil-zoom-band');
            if (rect) { rect.remove(); }
            if (Math.abs(d.x1 - d.x0) >= 4 && d.m.svg.isConnected) {
              navigate(tOf(d.m, Math.min(d.x0, d.x1)), tOf(d.m, Math.max(d.x0, d.x1)));
            }
          });
          document.addEventListener('dblclick', function (event) {
            var svg = chartOf(event.target);
            var m = svg && model(svg);
            if (!m || event.target.closest('g.legend')) { return; }
            var centre = (m.start + m.end) / 2, span = m.end - m.start;
            navigate(centre - span, centre + span);
          });
          document.addEventListener('click', function (event) {
            var entry = event.target.closest ? event.target.closest('g.legend-entry[data-series]') : null;
            var svg = chartOf(entry);
            var m = svg && model(svg);
            if (m) { toggle(m, entry.getAttribute('data-series'), event.shiftKey); }
          });
          document.addEventListener('keydown', function (event) {
            var svg = chartOf(event.target);
            var m = svg && model(svg);
            if (!m) { return; }
            var t = null;
            var from = m.at === null ? null : m.at;
            if (event.key === 'ArrowRight') { t = from === null ? snap(m, m.start) : neighbour(m, from, 1); }
            else if (event.key === 'ArrowLeft') { t = from === null ? snap(m, m.end) : neighbour(m, from, -1); }
            else if (event.key === 'Home') { t = snap(m, m.start); }
            else if (event.key === 'End') { t = snap(m, m.end); }
            else if (event.key === 'Escape') { hide(); return; }
            else { return; }
            event.preventDefault();
            if (t === null) { t = from; }
            if (t !== null) { show(m, t); }
          });
          document.addEventListener('focusout', function (event) {
            var svg = chartOf(event.target);
            if (svg && current && current.svg === svg) { hide(); }
          });
          new MutationObserver(function () {
            if (current && !current.svg.isConnected) { hide(); }
            for (var key in hidden) {
              var label = document.getElementById(key);
              var svg = label && chartOf(label);
              var m = svg && model(svg);
              if (m) { apply(m); }
            }
          }).observe(document.documentElement, { childList: true, subtree: true });

          var style = document.createElement('style');
          style.textContent = [
            'svg.vigil-timeseries { cursor: crosshair; max-width: 100%; height: auto; }',
            'svg.vigil-timeseries:focus { outline: 2px solid #0072B2; outline-offset: 2px; }',
            'svg.vigil-timeseries g.legend-entry { cursor: pointer; }',
            'svg.vigil-timeseries g.legend-entry.vigil-off { opacity: 0.4; }',
            'svg.vigil-timeseries g.legend-entry.vigil-off text { text-decoration: line-through; }',
            '.vigil-readout { position: absolute; z-index: 20; pointer-events: none; background: #fff;',
            '  border: 1px solid #8a94a6; border-radius: 4px; padding: 0.3rem 0.5rem; font: 12px system-ui, sans-serif;',
            '  box-shadow: 0 2px 6px rgba(0,0,0,0.18); max-width: 32rem; }',
            '.vigil-readout .time { font-weight: bold; margin-bottom: 0.2rem; }',
            '.vigil-readout .row { display: flex; gap: 0.4rem; align-items: center; white-space: nowrap; }',
            '.vigil-readout .swatch { display: inline-block; width: 14px; border-top-width: 2px; }',
            '.vigil-readout .name { overflow: hidden; text-overflow: ellipsis; max-width: 24rem; }',
            '.vigil-readout .value { margin-left: auto; padding-left: 0.8rem; font-weight: bold; }'
          ].join('\n');
          document.head.appendChild(style);
          window.vigilCharts = { format: format, formatTime: formatTime };
        })();

        """#
}
