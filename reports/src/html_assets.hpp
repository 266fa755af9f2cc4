// The HTML report's style sheet and its one script. The script reads the
// embedded data (html_data.cpp), draws the table a page at a time and a
// test's details when it is opened, so the page opens fast at any size. It
// builds every element with textContent and createElementNS, never from
// markup, and the page's Content-Security-Policy allows only this script
// (by its hash): text from the tests can never run.
#pragma once

namespace pss::reports::html_assets {

inline constexpr const char* style = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 4px;overflow-wrap:anywhere}
.meta{color:#59636e;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d1d9e0;border-radius:8px;padding:10px 14px;min-width:110px}
.card .label{color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:600}.card .sub{color:#59636e;font-size:12px;max-width:380px}
.pass .value{color:#1a7f37}.fail .value{color:#cf222e}
.overview{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
.controls input{min-width:16em}button{font:inherit;padding:2px 10px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #d1d9e0;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.name{overflow-wrap:anywhere;min-width:14em}
td.name a{cursor:pointer;color:#0969da;text-decoration:underline}
.v-failing{color:#cf222e;font-weight:600}.v-flaky,.v-regressed{color:#8250df;font-weight:600}.v-unstable{color:#9a6700}.v-stable{color:#1a7f37}
.test{border:2px solid #0969da;border-radius:8px;padding:12px;margin:12px 0}
.charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-size:12px;color:#59636e}
svg text{font:10px sans-serif;fill:#59636e}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:8px;border-radius:6px;max-height:320px;overflow:auto}
)CSS";

inline constexpr const char* script = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pss-data').textContent);
  var tests = data.tests, pageSize = 100, page = 0, order = [], sortKey = null, sortDesc = false;
  var SVG = 'http://www.w3.org/2000/svg';
  var rank = {failing: 0, flaky: 1, regressed: 2, unstable: 3, 'n/a': 4, stable: 5};
  var body = document.querySelector('#tests tbody'), heads = document.querySelectorAll('#tests th');
  var filterBox = document.getElementById('filter'), verdictBox = document.getElementById('verdict');
  var pageInfo = document.getElementById('page-info'), detail = document.getElementById('detail');

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function seconds(s, res) {
    if (res && s < res) return '<' + seconds(res);
    if (s < 1e-3) return (s * 1e6).toFixed(1) + ' us';
    if (s < 1) return (s * 1e3).toFixed(res >= 1e-3 ? 0 : 2) + ' ms';
    return s.toFixed(2) + ' s';
  }
  function bytes(b) {
    if (b < 1024) return b.toFixed(0) + ' B';
    if (b < 1048576) return (b / 1024).toFixed(1) + ' KiB';
    if (b < 1073741824) return (b / 1048576).toFixed(1) + ' MiB';
    return (b / 1073741824).toFixed(2) + ' GiB';
  }
  function expand(values, n) { return values.length === 1 && n > 1 ? new Array(n).fill(values[0]) : values; }
  var keys = {
    name: function (t) { return t.n; }, suite: function (t) { return t.s; },
    verdict: function (t) { return rank[t.v]; }, pss: function (t) { return t.p; },
    change: function (t) { return t.c === undefined ? 0 : t.c; }, runs: function (t) { return t.r; },
    pass: function (t) { return t.r ? (t.r - t.x) / t.r : 0; }, p50: function (t) { return t.p50; },
    p95: function (t) { return t.p95; }, memory: function (t) { return t.mem; },
    notes: function (t) { return t.o.join('; '); }
  };

  function select() {
    var text = filterBox.value.toLowerCase(), verdict = verdictBox.value;
    order = [];
    for (var i = 0; i < tests.length; ++i) {
      var t = tests[i];
      if (verdict && t.v !== verdict) continue;
      if (text && t.n.toLowerCase().indexOf(text) < 0 && t.s.toLowerCase().indexOf(text) < 0) continue;
      order.push(i);
    }
    if (sortKey) {
      var key = keys[sortKey];
      order.sort(function (a, b) {
        var x = key(tests[a]), y = key(tests[b]);
        var c = x < y ? -1 : x > y ? 1 : a - b;
        return sortDesc ? -c : c;
      });
    }
    page = 0;
    draw();
  }

  function row(i) {
    var t = tests[i], tr = el('tr', null, 'test-row'), a = el('a', t.n);
    a.setAttribute('data-test', i);
    a.href = '#test=' + i;
    a.addEventListener('click', function (e) { e.preventDefault(); open(i); });
    var name = el('td', null, 'name');
    name.appendChild(a);
    if (t.q) name.appendChild(el('small', ' (quarantined)'));
    tr.appendChild(name);
    tr.appendChild(el('td', t.s));
    tr.appendChild(el('td', t.v, 'v-' + t.v.replace('/', '')));
    tr.appendChild(el('td', t.p, 'num'));
    tr.appendChild(el('td', t.c === undefined ? '\u2014' : (t.c > 0 ? '+' : '') + t.c, 'num'));
    tr.appendChild(el('td', t.r, 'num'));
    tr.appendChild(el('td', (t.r ? Math.round(100 * (t.r - t.x) / t.r) : 0) + '%', 'num'));
    tr.appendChild(el('td', seconds(t.p50, t.res), 'num'));
    tr.appendChild(el('td', seconds(t.p95, t.res), 'num'));
    tr.appendChild(el('td', bytes(t.mem), 'num'));
    tr.appendChild(el('td', t.o.join('; ')));
    return tr;
  }

  function draw() {
    var pages = Math.max(1, Math.ceil(order.length / pageSize));
    page = Math.min(page, pages - 1);
    var rows = document.createDocumentFragment();
    for (var k = page * pageSize; k < Math.min(order.length, (page + 1) * pageSize); ++k) rows.appendChild(row(order[k]));
    body.textContent = '';
    body.appendChild(rows);
    pageInfo.textContent = order.length ? 'tests ' + (page * pageSize + 1) + '\u2013' +
      Math.min(order.length, (page + 1) * pageSize) + ' of ' + order.length + ' (page ' + (page + 1) + ' of ' + pages + ')'
      : 'no test matches';
  }

  function chart(cls, label, values, failed, format, yLabel) {
    var w = 320, h = 110, l = 52, r = 8, top = 10, b = 18, pw = w - l - r, ph = h - top - b;
    var s = svg('svg', {'class': 'chart ' + cls, width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img',
                        'aria-label': label});
    var max = 0;
    for (var i = 0; i < values.length; ++i) max = Math.max(max, values[i]);
    var flat = max <= 0;
    if (flat) max = 1;
    var x = function (i) { return l + (values.length > 1 ? pw * i / (values.length - 1) : pw / 2); };
    var y = function (v) { return top + ph * (1 - v / max); };
    s.appendChild(svg('line', {x1: l, y1: top, x2: l, y2: top + ph, stroke: '#d1d9e0'}));
    s.appendChild(svg('line', {x1: l, y1: top + ph, x2: l + pw, y2: top + ph, stroke: '#d1d9e0'}));
    if (!flat) s.appendChild(svg('text', {x: l - 4, y: top + 8, 'text-anchor': 'end'}, format(max)));
    s.appendChild(svg('text', {x: l - 4, y: top + ph, 'text-anchor': 'end'}, '0'));
    s.appendChild(svg('text', {x: l, y: h - 4}, yLabel || 'run 1'));
    s.appendChild(svg('text', {x: l + pw, y: h - 4, 'text-anchor': 'end'}, values.length));
    var pts = [];
    for (var j = 0; j < values.length; ++j) pts.push(x(j).toFixed(1) + ',' + y(values[j]).toFixed(1));
    s.appendChild(svg('polyline', {fill: 'none', stroke: '#0969da', 'stroke-width': 1.5, points: pts.join(' ')}));
    for (var k = 0; failed && k < values.length; ++k)
      if (failed[k] === '1') s.appendChild(svg('circle', {cx: x(k).toFixed(1), cy: y(values[k]).toFixed(1), r: 3, fill: '#cf222e'}));
    return s;
  }

  function timeline(t) {
    var w = 320, l = 52, pw = w - l - 8, n = t.fl.length, cells = Math.min(n, 300);
    var s = svg('svg', {'class': 'chart timeline', width: w, height: 110, viewBox: '0 0 ' + w + ' 110', role: 'img',
                        'aria-label': 'failure timeline: ' + t.x + ' of ' + t.r + ' runs failed'});
    s.appendChild(svg('text', {x: l - 4, y: 44, 'text-anchor': 'end'}, 'runs'));
    var cw = cells ? pw / cells : 0;
    for (var c = 0; c < cells; ++c) {
      var failed = t.fl.slice(Math.floor(c * n / cells), Math.floor((c + 1) * n / cells)).indexOf('1') >= 0;
      s.appendChild(svg('rect', {x: (l + cw * c).toFixed(2), y: 30, width: Math.max(cw - (cw > 3 ? 1 : 0), 0.5).toFixed(2),
                                 height: 20, fill: failed ? '#cf222e' : '#2da44e'}));
    }
    s.appendChild(svg('text', {x: l, y: 70}, (t.r - t.x) + ' passed, ' + t.x + ' failed'));
    return s;
  }

  function subscores(ss) {
    var names = ['timing', 'memory', 'errors', 'branching', 'concurrency'];
    var s = svg('svg', {'class': 'chart subscores', width: 320, height: 110, viewBox: '0 0 320 110', role: 'img',
                        'aria-label': 'the five sub-scores'});
    for (var i = 0; i < 5; ++i) {
      var v = Math.max(0, Math.min(1, ss[i])), y = 6 + 20 * i, bw = 320 - 72 - 44;
      s.appendChild(svg('text', {x: 68, y: y + 11, 'text-anchor': 'end'}, names[i]));
      s.appendChild(svg('rect', {x: 72, y: y, width: bw, height: 14, fill: '#eaeef2'}));
      s.appendChild(svg('rect', {x: 72, y: y, width: (bw * v).toFixed(1), height: 14,
                                 fill: v >= 0.8 ? '#2da44e' : v >= 0.5 ? '#d4a72c' : '#cf222e'}));
      s.appendChild(svg('text', {x: 72 + bw + 4, y: y + 11}, v.toFixed(2)));
    }
    return s;
  }

  function figure(caption, content) {
    var f = el('figure');
    f.appendChild(el('figcaption', caption));
    f.appendChild(content);
    return f;
  }

  function open(i) {
    var t = tests[i];
    detail.textContent = '';
    detail.hidden = false;
    detail.setAttribute('data-test', i);
    detail.appendChild(el('h3', t.n));
    var where = t.s + (t.b ? ' \u00b7 ' + t.b : '') + (t.f ? ' \u00b7 ' + t.f : '');
    var meta = el('p', where + ' \u00b7 ', 'meta');
    meta.appendChild(el('span', t.v, 'v-' + t.v.replace('/', '')));
    meta.appendChild(document.createTextNode(' \u00b7 PSS ' + t.p + (t.pp !== undefined ? ' (pypss: ' + t.pp + ')' : '') +
      ' \u00b7 ' + t.x + ' of ' + t.r + ' runs failed' + (t.g ? ' \u00b7 fails the gate' : '')));
    detail.appendChild(meta);
    var charts = el('div', null, 'charts');
    charts.appendChild(figure('Sub-scores', subscores(t.ss)));
    var d = expand(t.d, t.fl.length).map(function (v) { return v / 1e6; });
    charts.appendChild(figure('Duration over runs', chart('duration', 'duration over runs', d, t.fl,
      function (v) { return seconds(v); })));
    charts.appendChild(figure('Memory over runs (peak heap)', chart('memory', 'memory over runs',
      expand(t.m, t.fl.length), t.fl, bytes)));
    charts.appendChild(figure('Failure timeline', timeline(t)));
    if (t.t) {
      var trend = t.t.concat([t.p]);
      charts.appendChild(figure('PSS over the last ' + trend.length + ' runs' + (data.baseline ? ' (' + data.baseline + ')' : ''),
        chart('trend', 'PSS trend', trend, null, function (v) { return String(v); }, 'oldest')));
    }
    detail.appendChild(charts);
    t.o.forEach(function (o) { detail.appendChild(el('p', o)); });
    t.fs.forEach(function (f) {
      var box = el('details', null, 'failure'), sum = el('summary', 'run ' + f[0] + ': ' + f[1] +
        (f[2] ? ' at ' + f[2] + (f[3] ? ':' + f[3] : '') : ''));
      box.appendChild(sum);
      box.appendChild(el('pre', f[4]));
      if (f[5]) box.appendChild(el('pre', f[5]));
      detail.appendChild(box);
    });
    var close = el('button', 'Close');
    close.addEventListener('click', function () { detail.hidden = true; });
    detail.appendChild(close);
    detail.scrollIntoView();
  }

  Array.prototype.forEach.call(heads, function (th) {
    th.tabIndex = 0;
    function toggle() {
      var key = th.getAttribute('data-key');
      sortDesc = sortKey === key ? !sortDesc : false;
      sortKey = key;
      for (var i = 0; i < heads.length; ++i) heads[i].removeAttribute('aria-sort');
      th.setAttribute('aria-sort', sortDesc ? 'descending' : 'ascending');
      select();
    }
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
  });
  filterBox.addEventListener('input', select);
  verdictBox.addEventListener('change', select);
  document.getElementById('prev').addEventListener('click', function () { if (page > 0) { --page; draw(); } });
  document.getElementById('next').addEventListener('click', function () { ++page; draw(); });

  var m = /^#sort=([a-z0-9_]+)(:desc)?$/.exec(location.hash);
  if (m && keys[m[1]]) {
    sortKey = m[1];
    sortDesc = !!m[2];
    for (var i = 0; i < heads.length; ++i)
      if (heads[i].getAttribute('data-key') === sortKey) heads[i].setAttribute('aria-sort', sortDesc ? 'descending' : 'ascending');
  }
  select();
  var opened = /^#test=(\d+)$/.exec(location.hash);
  if (opened && tests[+opened[1]]) open(+opened[1]);
  document.documentElement.setAttribute('data-pss-ready', '1');
})();
)JS";

}  // namespace pss::reports::html_assets
