// The board's page and style sheet (its script is in page_script.cpp).
#include "pss/board/server.hpp"

namespace pss::board {

const std::string& page_html() {
    static const std::string html = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pss board</title>
<link rel="stylesheet" href="/board.css">
<script src="/board.js" defer></script>
</head>
<body>
<header>
  <h1>pss board</h1>
  <span id="source" class="muted"></span>
</header>
<nav class="tabs" role="tablist">
  <button id="tab-runs" role="tab" data-view="runs">Runs</button>
  <button id="tab-tests" role="tab" data-view="tests" aria-selected="true">Tests</button>
  <button id="tab-compare" role="tab" data-view="compare">Branches</button>
</nav>
<main>
<section id="view-runs" class="view" hidden>
  <table id="runs-table" class="grid">
    <thead><tr><th>run</th><th>started</th><th>branch</th><th>commit</th><th class="num">PSS</th>
      <th class="num">tests</th><th>verdicts</th><th>gate</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
<section id="view-tests" class="view">
  <div class="kpis" id="kpis"></div>
  <div class="filters">
    <label>run <select id="filter-run"></select></label>
    <label>verdict <select id="filter-verdict"><option value="">any</option></select></label>
    <label>suite <select id="filter-suite"><option value="">any</option></select></label>
    <label>name <input id="filter-q" type="search" placeholder="search tests" autocomplete="off"></label>
    <span id="tests-count" class="muted"></span>
  </div>
  <table id="tests-table" class="grid">
    <thead><tr><th>test</th><th>suite</th><th>verdict</th><th class="num">PSS</th><th>trend</th>
      <th class="num">runs</th><th class="num">failed</th><th class="num">p95</th></tr></thead>
    <tbody></tbody>
  </table>
  <div class="pager"><button id="prev-page">previous</button> <span id="page-info"></span>
    <button id="next-page">next</button></div>
  <section id="test-detail" hidden>
    <h2 id="detail-name"></h2>
    <p id="detail-where" class="muted"></p>
    <nav class="tabs" role="tablist">
      <button id="dtab-scores" role="tab" data-detail="scores" aria-selected="true">Scores over time</button>
      <button id="dtab-dist" role="tab" data-detail="dist">Duration and memory</button>
      <button id="dtab-errors" role="tab" data-detail="errors">Errors</button>
      <button id="dtab-entropy" role="tab" data-detail="entropy">Branch entropy</button>
      <button id="dtab-failures" role="tab" data-detail="failures">Failures</button>
    </nav>
    <div id="detail-body"></div>
  </section>
</section>
<section id="view-compare" class="view" hidden>
  <div class="filters">
    <label>branch <select id="compare-branch"></select></label>
    <label>against <select id="compare-baseline"></select></label>
    <span id="compare-summary" class="muted"></span>
  </div>
  <table id="compare-table" class="grid">
    <thead><tr><th>test</th><th>suite</th><th class="num">baseline</th><th class="num">branch</th>
      <th class="num">change</th><th>verdict</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
</main>
</body>
</html>
)html";
    return html;
}

const std::string& page_style() {
    static const std::string css = R"css(
:root { --fg: #1d2430; --muted: #667085; --line: #d9dee7; --bg: #f7f8fa; --accent: #2f6fde;
  --stable: #2e7d32; --unstable: #b26a00; --flaky: #c62828; --failing: #8e0000; --regressed: #6a1b9a; --na: #667085; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1em; align-items: baseline; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; } h2 { font-size: 16px; margin: 16px 0 4px; }
main { padding: 12px 20px; }
.muted { color: var(--muted); }
.tabs { display: flex; gap: 4px; padding: 0 20px; background: #fff; border-bottom: 1px solid var(--line); }
#test-detail .tabs { padding: 0; background: none; }
.tabs button { border: 0; background: none; padding: 8px 12px; cursor: pointer; font: inherit; color: var(--muted); border-bottom: 2px solid transparent; }
.tabs button[aria-selected="true"] { color: var(--fg); border-bottom-color: var(--accent); }
table.grid { border-collapse: collapse; width: 100%; background: #fff; }
.grid th, .grid td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.grid td.name { white-space: normal; word-break: break-all; }
.grid th { font-weight: 600; font-size: 12px; color: var(--muted); }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.kpis { display: flex; gap: 12px; flex-wrap: wrap; margin: 4px 0 8px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 90px; }
.kpi b { display: block; font-size: 20px; }
.v-stable { color: var(--stable); } .v-unstable { color: var(--unstable); } .v-flaky { color: var(--flaky); }
.v-failing { color: var(--failing); } .v-regressed { color: var(--regressed); } .v-na { color: var(--na); }
.gate-failed { color: var(--flaky); font-weight: 600; } .gate-passed { color: var(--stable); }
a.test-link { color: var(--accent); cursor: pointer; text-decoration: none; }
tr.selected { background: #eef3fd; }
.pager { margin: 8px 0; }
#test-detail { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px 16px; margin-top: 12px; }
svg { display: block; margin: 8px 0; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
pre.source { background: var(--bg); padding: 6px; overflow-x: auto; font-size: 12px; }
pre.source .hit { background: #fde2e2; display: block; }
.failure { border-top: 1px solid var(--line); padding: 6px 0; }
.legend span { margin-right: 12px; }
)css";
    return css;
}

}  // namespace pss::board
