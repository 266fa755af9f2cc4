// The board's script: fetches the JSON API and draws tables and SVG charts.
// Every text from the data goes into the page as a text node, never as markup.
#include "pss/board/server.hpp"

namespace pss::board {

const std::string& page_script() {
    static const std::string js = R"js('use strict';
(function () {
  var VERDICTS = ['stable', 'unstable', 'flaky', 'failing', 'regressed', 'n/a'];
  var SUBS = ['timing', 'memory', 'errors', 'branching', 'concurrency'];
  var COLORS = ['#2f6fde', '#2e7d32', '#c62828', '#6a1b9a', '#b26a00'];
  var NS = 'http://www.w3.org/2000/svg';
  var state = { run: null, page: 0, pageSize: 100, test: null, detailTab: 'scores', summary: null };

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function vclass(v) { return 'v-' + (v === 'n/a' ? 'na' : v); }
  function api(path, params) {
    var q = [];
    for (var k in params) if (params[k] !== undefined && params[k] !== null && params[k] !== '')
      q.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
    return fetch(path + (q.length ? '?' + q.join('&') : '')).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function seconds(s) {
    if (!(s > 0)) return '0';
    if (s >= 1) return s.toFixed(2) + ' s';
    if (s >= 1e-3) return (s * 1e3).toFixed(2) + ' ms';
    return (s * 1e6).toFixed(1) + ' us';
  }
  function bytes(b) {
    if (b >= 1048576) return (b / 1048576).toFixed(1) + ' MiB';
    if (b >= 1024) return (b / 1024).toFixed(1) + ' KiB';
    return Math.round(b) + ' B';
  }
  function date(t) { return t > 0 ? new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16) : ''; }
  function option(select, value, label) { var o = el('option', label); o.value = value; select.appendChild(o); }

  // --- views -------------------------------------------------------------
  function show(view) {
    ['runs', 'tests', 'compare'].forEach(function (v) {
      $('view-' + v).hidden = v !== view;
      $('tab-' + v).setAttribute('aria-selected', v === view ? 'true' : 'false');
    });
    if (view === 'runs') loadRuns();
    if (view === 'compare') loadCompare();
  }

  function loadRuns() {
    return api('/api/runs', { limit: 200 }).then(function (d) {
      var body = clear($('runs-table').tBodies[0]);
      d.runs.forEach(function (r) {
        var tr = el('tr');
        var a = el('a', r.id >= 0 ? '#' + r.id : 'trace file', 'test-link');
        a.addEventListener('click', function () { $('filter-run').value = String(r.index); state.page = 0; show('tests'); loadTests(); });
        var td = el('td'); td.appendChild(a); tr.appendChild(td);
        tr.appendChild(el('td', date(r.started_at)));
        tr.appendChild(el('td', r.branch));
        tr.appendChild(el('td', (r.commit || '').slice(0, 10)));
        tr.appendChild(el('td', r.pss, 'num'));
        tr.appendChild(el('td', r.tests, 'num'));
        var parts = [];
        VERDICTS.forEach(function (v) { if (r.verdicts[v]) parts.push(r.verdicts[v] + ' ' + v); });
        tr.appendChild(el('td', parts.join(', ')));
        tr.appendChild(el('td', r.gate, r.gate_exit === 0 ? 'gate-passed' : 'gate-failed'));
        body.appendChild(tr);
      });
    });
  }

  function sparkline(values) {
    var w = 90, h = 18, s = svg('svg', { width: w, height: h, 'class': 'spark', role: 'img' });
    if (values.length < 2) return s;
    var pts = values.map(function (v, i) {
      return (i * (w - 2) / (values.length - 1) + 1).toFixed(1) + ',' + (h - 1 - v * (h - 2) / 100).toFixed(1);
    });
    s.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: '#2f6fde', 'stroke-width': 1.2 }));
    return s;
  }

  function loadTests() {
    var params = { run: $('filter-run').value, verdict: $('filter-verdict').value, suite: $('filter-suite').value,
                   q: $('filter-q').value, offset: state.page * state.pageSize, limit: state.pageSize };
    return api('/api/tests', params).then(function (d) {
      var body = clear($('tests-table').tBodies[0]);
      d.rows.forEach(function (t) {
        var tr = el('tr', null, 'test-row');
        tr.setAttribute('data-test', t.id);
        if (state.test === t.id) tr.className += ' selected';
        var a = el('a', t.name, 'test-link');
        a.addEventListener('click', function () { openTest(t.id); });
        var td = el('td', null, 'name'); td.appendChild(a); tr.appendChild(td);
        tr.appendChild(el('td', t.suite));
        tr.appendChild(el('td', t.verdict, vclass(t.verdict)));
        tr.appendChild(el('td', t.pss, 'num'));
        var sp = el('td'); sp.appendChild(sparkline(t.trend)); tr.appendChild(sp);
        tr.appendChild(el('td', t.runs, 'num'));
        tr.appendChild(el('td', t.failures, 'num'));
        tr.appendChild(el('td', seconds(t.p95), 'num'));
        body.appendChild(tr);
      });
      var pages = Math.max(1, Math.ceil(d.total / state.pageSize));
      $('page-info').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
      $('prev-page').disabled = state.page === 0;
      $('next-page').disabled = state.page + 1 >= pages;
      $('tests-count').textContent = d.total + ' tests';
      var k = clear($('kpis'));
      function kpi(label, value, cls) { var b = el('div', null, 'kpi'); b.appendChild(el('b', value, cls)); b.appendChild(el('span', label, 'muted')); k.appendChild(b); }
      kpi('run PSS', d.run.pss);
      kpi('gate', d.run.gate, d.run.gate_exit === 0 ? 'gate-passed' : 'gate-failed');
      VERDICTS.forEach(function (v) { kpi(v, d.counts[v] || 0, vclass(v)); });
    });
  }

  // --- one test ------------------------------------------------------------
  function openTest(id) {
    state.test = id;
    Array.prototype.forEach.call(document.querySelectorAll('tr.test-row'), function (tr) {
      tr.classList.toggle('selected', tr.getAttribute('data-test') === String(id));
    });
    return api('/api/test', { id: id }).then(function (t) {
      state.detail = t;
      $('test-detail').hidden = false;
      $('detail-name').textContent = t.name;
      $('detail-where').textContent = t.suite + (t.file ? ' \u2014 ' + t.file + ':' + t.line : '');
      drawDetail();
    });
  }

  function axes(s, w, h, l, top, bottom, ymax, label) {
    s.appendChild(svg('line', { x1: l, y1: top, x2: l, y2: h - bottom, stroke: '#d9dee7' }));
    s.appendChild(svg('line', { x1: l, y1: h - bottom, x2: w - 4, y2: h - bottom, stroke: '#d9dee7' }));
    s.appendChild(svg('text', { x: 2, y: top + 8 }, label(ymax)));
    s.appendChild(svg('text', { x: 2, y: h - bottom }, label(0)));
  }

  function lineChart(series, ymax, label, names) {
    var w = 720, h = 200, l = 48, top = 8, bottom = 20, s = svg('svg', { width: w, height: h, role: 'img' });
    axes(s, w, h, l, top, bottom, ymax, label);
    series.forEach(function (values, k) {
      if (!values.length) return;
      var n = values.length, pts = values.map(function (v, i) {
        var x = l + (n === 1 ? 0 : i * (w - l - 8) / (n - 1)), y = h - bottom - (v / ymax) * (h - top - bottom);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      s.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[k % COLORS.length], 'stroke-width': 1.5 }));
    });
    var box = el('div');
    box.appendChild(s);
    if (names) {
      var legend = el('div', null, 'legend');
      names.forEach(function (n, k) { var sp = el('span', '\u25A0 ' + n); sp.style.color = COLORS[k % COLORS.length]; legend.appendChild(sp); });
      box.appendChild(legend);
    }
    return box;
  }

  function histogram(values, label, title) {
    var box = el('div');
    box.appendChild(el('h3', title));
    if (!values.length) { box.appendChild(el('p', 'no runs', 'muted')); return box; }
    var min = Math.min.apply(null, values), max = Math.max.apply(null, values), bins = 30, counts = [];
    for (var i = 0; i < bins; ++i) counts.push(0);
    values.forEach(function (v) { counts[max > min ? Math.min(bins - 1, Math.floor((v - min) / (max - min) * bins)) : 0]++; });
    var top = Math.max.apply(null, counts), w = 720, h = 160, l = 48, s = svg('svg', { width: w, height: h, role: 'img' });
    var bw = (w - l - 8) / bins;
    counts.forEach(function (c, i) {
      var bh = top ? c / top * (h - 30) : 0;
      s.appendChild(svg('rect', { x: (l + i * bw).toFixed(1), y: (h - 20 - bh).toFixed(1), width: Math.max(1, bw - 1).toFixed(1), height: bh.toFixed(1), fill: '#2f6fde' }));
    });
    s.appendChild(svg('text', { x: l, y: h - 4 }, label(min)));
    s.appendChild(svg('text', { x: w - 80, y: h - 4 }, label(max)));
    s.appendChild(svg('text', { x: 2, y: 12 }, top + ' runs'));
    box.appendChild(s);
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    function q(p) { return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]; }
    box.appendChild(el('p', 'p50 ' + label(q(0.5)) + ', p95 ' + label(q(0.95)) + ', max ' + label(max) + ' over ' + values.length + ' runs', 'muted'));
    return box;
  }

  function heatmap(cells, perRow, title, note) {
    var box = el('div');
    box.appendChild(el('h3', title));
    if (!cells.length) { box.appendChild(el('p', 'no runs', 'muted')); return box; }
    var size = 12, rows = Math.ceil(cells.length / perRow), s = svg('svg', { width: perRow * size + 2, height: rows * size + 2, role: 'img', 'class': 'heatmap' });
    cells.forEach(function (c, i) {
      var r = svg('rect', { x: (i % perRow) * size + 1, y: Math.floor(i / perRow) * size + 1, width: size - 2, height: size - 2,
                            fill: c.rate > 0 ? 'rgba(198,40,40,' + (0.25 + 0.75 * c.rate).toFixed(2) + ')' : '#e3efe3' });
      r.appendChild(svg('title', {}, c.title));
      s.appendChild(r);
    });
    box.appendChild(s);
    if (note) box.appendChild(el('p', note, 'muted'));
    return box;
  }

  function drawDetail() {
    var t = state.detail, body = clear($('detail-body')), tab = state.detailTab, tr = t.trace;
    ['scores', 'dist', 'errors', 'entropy', 'failures'].forEach(function (k) {
      $('dtab-' + k).setAttribute('aria-selected', k === tab ? 'true' : 'false');
    });
    var h = t.history;
    if (tab === 'scores') {
      body.appendChild(el('h3', 'PSS over ' + h.length + ' runs'));
      body.appendChild(lineChart([h.map(function (c) { return c.pss; })], 100, function (v) { return String(v); }));
      body.appendChild(el('h3', 'Sub-scores over time'));
      body.appendChild(lineChart(SUBS.map(function (_, k) { return h.map(function (c) { return c.sub[k]; }); }), 1,
                                 function (v) { return v.toFixed(1); }, SUBS));
      if (tr && tr.metrics.length) {
        body.appendChild(el('h3', 'Metrics recorded in the test'));
        var tbl = el('table', null, 'grid'), head = el('tr');
        ['metric', 'runs', 'mean', 'CV', 'stability', 'weight'].forEach(function (x) { head.appendChild(el('th', x)); });
        tbl.appendChild(head);
        tr.metrics.forEach(function (m) {
          var row = el('tr');
          [m.name, m.runs, m.mean.toPrecision(4), (100 * m.cv).toFixed(0) + '%', m.score.toFixed(2), m.weight || 'not scored'].forEach(function (x) { row.appendChild(el('td', x)); });
          tbl.appendChild(row);
        });
        body.appendChild(tbl);
      }
    } else if (tab === 'dist') {
      if (tr) {
        body.appendChild(histogram(tr.durations, seconds, 'Duration of each run'));
        body.appendChild(histogram(tr.memory, bytes, 'Peak heap growth of each run'));
      } else {
        body.appendChild(el('h3', 'p50 and p95 duration over runs'));
        body.appendChild(lineChart([h.map(function (c) { return c.p50; }), h.map(function (c) { return c.p95; })],
                                   Math.max.apply(null, h.map(function (c) { return c.p95; }).concat([1e-9])), seconds, ['p50', 'p95']));
        body.appendChild(el('p', 'Per-run durations and memory come with a trace file (pss board --traces FILE).', 'muted'));
      }
    } else if (tab === 'errors') {
      body.appendChild(heatmap(h.map(function (c) {
        return { rate: c.runs ? c.failures / c.runs : 0, title: (c.id >= 0 ? 'run #' + c.id : 'trace file') + ' (' + c.branch + '): ' + c.failures + ' of ' + c.runs + ' failed' };
      }), 50, 'Failed runs per pss run', 'one cell per pss run, oldest first; darker: more of its runs failed'));
      if (tr) body.appendChild(heatmap(tr.failed.map(function (f, i) { return { rate: f, title: 'run ' + (i + 1) + (f ? ': failed' : ': passed') }; }),
                                       50, 'Each run in the trace file', 'one cell per run of the test, in run order'));
    } else if (tab === 'entropy') {
      body.appendChild(el('h3', 'Branching stability (BE) over pss runs'));
      body.appendChild(lineChart([h.map(function (c) { return c.sub[3]; })], 1, function (v) { return v.toFixed(1); }));
      if (tr) {
        body.appendChild(el('h3', 'Branch-tag entropy over the last 20 runs (bits), ' + (tr.tags.length - 1) + ' distinct tags'));
        var emax = Math.max.apply(null, tr.entropy.concat([1]));
        body.appendChild(lineChart([tr.entropy], emax, function (v) { return v.toFixed(2); }));
      }
    } else if (tab === 'failures') {
      if (!tr || !tr.failures.length) { body.appendChild(el('p', tr ? 'No failed runs.' : 'Failure messages come with a trace file (pss board --traces FILE).', 'muted')); return; }
      tr.failures.forEach(function (f) {
        var box = el('div', null, 'failure');
        box.appendChild(el('b', 'run ' + f.run + ': ' + f.type));
        if (f.file) box.appendChild(el('div', f.file + ':' + f.line, 'muted'));
        box.appendChild(el('pre', f.message));
        if (f.source.length) {
          var pre = el('pre', null, 'source');
          f.source.forEach(function (l) { pre.appendChild(el('span', String(l[0]).padStart(5) + '  ' + l[1] + '\n', l[0] === f.line ? 'hit' : null)); });
          box.appendChild(pre);
        }
        body.appendChild(box);
      });
    }
  }

  // --- branch comparison -----------------------------------------------------
  function loadCompare() {
    var b = $('compare-branch').value, base = $('compare-baseline').value;
    if (!b || !base) { $('compare-summary').textContent = 'needs runs on two branches'; return Promise.resolve(); }
    return api('/api/compare', { branch: b, baseline: base, limit: 200 }).then(function (d) {
      $('compare-summary').textContent = d.compared + ' tests on both: ' + d.worse + ' worse, ' + d.better + ' better';
      var body = clear($('compare-table').tBodies[0]);
      d.rows.forEach(function (r) {
        var tr = el('tr');
        var a = el('a', r.name, 'test-link');
        a.addEventListener('click', function () { show('tests'); openTest(r.id); });
        var td = el('td', null, 'name'); td.appendChild(a); tr.appendChild(td);
        tr.appendChild(el('td', r.suite));
        tr.appendChild(el('td', r.baseline_pss, 'num'));
        tr.appendChild(el('td', r.pss, 'num'));
        tr.appendChild(el('td', (r.change > 0 ? '+' : '') + r.change, 'num ' + (r.change < 0 ? 'v-flaky' : r.change > 0 ? 'v-stable' : '')));
        tr.appendChild(el('td', r.baseline_verdict + ' \u2192 ' + r.verdict, vclass(r.verdict)));
        body.appendChild(tr);
      });
    });
  }

  // --- start ---------------------------------------------------------------
  function start() {
    ['runs', 'tests', 'compare'].forEach(function (v) { $('tab-' + v).addEventListener('click', function () { show(v); }); });
    ['scores', 'dist', 'errors', 'entropy', 'failures'].forEach(function (k) {
      $('dtab-' + k).addEventListener('click', function () { state.detailTab = k; if (state.detail) drawDetail(); });
    });
    VERDICTS.forEach(function (v) { option($('filter-verdict'), v, v); });
    var timer = null;
    function refilter() { state.page = 0; loadTests(); }
    ['filter-run', 'filter-verdict', 'filter-suite'].forEach(function (id) { $(id).addEventListener('change', refilter); });
    $('filter-q').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refilter, 150); });
    $('prev-page').addEventListener('click', function () { if (state.page > 0) { state.page--; loadTests(); } });
    $('next-page').addEventListener('click', function () { state.page++; loadTests(); });
    $('compare-branch').addEventListener('change', loadCompare);
    $('compare-baseline').addEventListener('change', loadCompare);
    api('/api/summary', {}).then(function (s) {
      state.summary = s;
      $('source').textContent = [s.history, s.traces].filter(function (x) { return x; }).join(' + ') + ' \u2014 ' + s.runs + ' runs, ' + s.tests + ' tests';
      s.suites.forEach(function (x) { option($('filter-suite'), x, x); });
      s.branches.forEach(function (b) { option($('compare-branch'), b, b || '(none)'); option($('compare-baseline'), b, b || '(none)'); });
      if (s.branches.length > 1) {
        // Against main (else the second newest branch): the newest other branch of the history.
        var main = s.branches.indexOf('main') >= 0 ? 'main' : s.branches[1];
        var others = s.branches.filter(function (b) { return b !== main && b !== 'traces'; });
        $('compare-baseline').value = main;
        $('compare-branch').value = others.length ? others[0] : s.branches.filter(function (b) { return b !== main; })[0];
      }
      return api('/api/runs', { limit: 200 });
    }).then(function (d) {
      d.runs.forEach(function (r) { option($('filter-run'), r.index, (r.id >= 0 ? '#' + r.id : 'trace file') + ' ' + r.branch + ' ' + date(r.started_at)); });
      return loadTests();
    }).then(function () {
      document.body.setAttribute('data-ready', 'true');
    }).catch(function (e) {
      document.body.appendChild(el('p', 'Could not load the board: ' + e.message, 'gate-failed'));
    });
  }
  document.addEventListener('DOMContentLoaded', start);
})();
)js";
    return js;
}

}  // namespace pss::board
