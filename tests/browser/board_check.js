// Drives `pss board` in Debian's Chromium through playwright-core (no browser
// download): load, filter, open a test, switch tabs, no console errors.
// Screenshots go to the directory given (CI artefacts).
// Usage: node board_check.js URL SCREENSHOT_DIR EXPECTED_FLAKY_TEST
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [url, shots, flakyName] = process.argv.slice(2);
const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
}

// Polls `probe` (locator calls only: the board's Content-Security-Policy
// forbids the eval that page.waitForFunction needs) until it returns true.
async function until(probe, what, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting until ' + what);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.PSS_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.type() + ': ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url()));
  page.on('request', (r) => { if (!r.url().startsWith(url)) problems.push('request outside the board: ' + r.url()); });

  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.screenshot({ path: path.join(shots, '1-loaded.png'), fullPage: true });
  // The newest run is the trace file (two tests); the run before it is the newest in the history.
  await page.selectOption('#filter-run', { index: 1 });
  const testRows = page.locator('#tests-table tbody tr.test-row');
  await until(async () => (await testRows.count()) === 100, 'a history run shows 100 rows');
  const rows = await page.locator('#tests-table tbody tr.test-row').count();
  check(rows === 100, 'the first page of a history run shows 100 tests (got ' + rows + ')');
  const total = await page.textContent('#tests-count');
  check(/^\d+ tests$/.test(total.trim()), 'the test count is shown: ' + total.trim());

  // Filter: verdict flaky, then a name search.
  await page.selectOption('#filter-verdict', 'flaky');
  const verdictCells = page.locator('#tests-table tbody tr.test-row td:nth-child(3)');
  await until(async () => {
    const verdicts = await verdictCells.allTextContents();
    return verdicts.length > 0 && verdicts.length < 100 && verdicts.every((v) => v === 'flaky');
  }, 'only flaky tests are listed');
  check(true, 'the verdict filter shows only flaky tests');
  await page.fill('#filter-q', flakyName);
  const links = page.locator('#tests-table tbody tr.test-row a');
  await until(async () => {
    const names = await links.allTextContents();
    return names.length === 1 && names[0] === flakyName;
  }, 'the search finds one test');
  check(true, 'the name search finds ' + flakyName);
  await page.screenshot({ path: path.join(shots, '2-filtered.png'), fullPage: true });

  // Open the test; every detail tab draws something.
  await page.click('#tests-table tbody tr.test-row a');
  await page.waitForSelector('#test-detail:not([hidden]) svg');
  check((await page.textContent('#detail-name')) === flakyName, 'the test detail names the test');
  await page.screenshot({ path: path.join(shots, '3-test-scores.png'), fullPage: true });
  for (const [tab, selector, what] of [
    ['#dtab-dist', '#detail-body svg rect', 'duration and memory histograms'],
    ['#dtab-errors', '#detail-body svg.heatmap rect', 'the error heatmap'],
    ['#dtab-entropy', '#detail-body svg polyline', 'branch entropy over time'],
    ['#dtab-failures', '#detail-body pre.source .hit', 'a failure with its source line'],
  ]) {
    await page.click(tab);
    await page.waitForSelector(selector, { timeout: 10000 });
    check(true, what + ' shown');
    await page.screenshot({ path: path.join(shots, '4-' + tab.slice(6) + '.png'), fullPage: true });
    if (tab === '#dtab-errors') {
      const failedCells = await page.locator('#detail-body svg.heatmap').first().locator('rect[fill^="rgba"]').count();
      check(failedCells > 0, 'the heatmap marks the runs with failures (' + failedCells + ')');
    }
  }

  // Runs and branch comparison.
  await page.click('#tab-runs');
  await page.waitForSelector('#runs-table tbody tr');
  check(await page.locator('#runs-table tbody td.gate-failed').count() > 0, 'the run list shows failed gates');
  await page.screenshot({ path: path.join(shots, '5-runs.png'), fullPage: true });
  await page.click('#tab-compare');
  await page.waitForSelector('#compare-table tbody tr');
  const summary = await page.textContent('#compare-summary');
  check(/^300 tests on both: \d+ worse/.test(summary), 'the branch comparison of feature/x against main: ' + summary);
  check(await page.locator('#compare-table tbody tr').count() === 200, 'the comparison lists the 200 biggest changes');
  await page.screenshot({ path: path.join(shots, '6-compare.png'), fullPage: true });

  // Hostile names are text, never markup.
  check(await page.evaluate(() => !window.pssInjected), 'no script from the data ran');

  check(problems.length === 0, 'no console errors, failed or outside requests' + (problems.length ? ': ' + problems.join(' | ') : ''));
  await browser.close();
  if (failures.length) { console.error(failures.length + ' check(s) failed'); process.exit(1); }
})().catch((e) => { console.error(e); process.exit(2); });
