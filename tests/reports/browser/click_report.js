// Opens a pss HTML report in headless Chromium (playwright-core, the
// machine's /usr/bin/chromium) and uses it as a person would: waits for the
// page to be ready, sorts by PSS, filters, pages, opens a test and reads its
// charts. Prints one JSON object with what it saw and how long it took; the
// C++ test checks it. Usage: node click_report.js REPORT.html
'use strict';
const { chromium } = require('playwright-core');

(async () => {
  const file = process.argv[2];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const started = Date.now();
  await page.goto('file://' + file);
  await page.waitForSelector('html[data-pss-ready="1"]', { timeout: 60000 });
  const openMs = Date.now() - started;
  const out = { openMs, errors };
  out.rows = await page.locator('#tests tbody tr').count();
  out.pageInfo = await page.textContent('#page-info');

  // Sort by PSS, ascending then descending.
  await page.click('th[data-key="pss"]');
  await page.click('th[data-key="pss"]');
  out.firstPssDescending = Number(await page.textContent('#tests tbody tr:first-child td:nth-child(4)'));

  // Filter to the flaky tests, then open the second one on the second page.
  await page.selectOption('#verdict', 'flaky');
  out.flakyInfo = await page.textContent('#page-info');
  await page.click('#next');
  out.secondPage = await page.textContent('#page-info');
  const link = page.locator('#tests tbody tr:nth-child(2) td.name a');
  out.clicked = await link.textContent();
  const t0 = Date.now();
  await link.click();
  await page.waitForSelector('#detail:not([hidden]) svg.chart.duration');
  out.detailMs = Date.now() - t0;
  out.detailTitle = await page.textContent('#detail h3');
  out.detailCharts = await page.locator('#detail svg.chart').count();
  out.failedDots = await page.locator('#detail svg.chart.duration circle').count();
  out.trend = await page.locator('#detail svg.chart.trend').count();
  out.pwned = await page.evaluate(() => document.documentElement.getAttribute('data-pwned'));
  await page.click('#detail button');
  out.detailHidden = await page.evaluate(() => document.getElementById('detail').hidden);
  await page.fill('#filter', 'no such test at all');
  out.noMatch = await page.textContent('#page-info');
  await browser.close();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
