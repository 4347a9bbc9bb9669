// The SPA's two figures: the size of its WebAssembly (raw and gzip -9, as served; the
// bundle every visitor loads, and beside it the admin console's, loaded apart) and the
// time from submitting the login form to the dashboard being on screen, in Chromium,
// against the release server on loopback. Run through bench/spa.sh.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { chromium } = require('@playwright/test');
const { startServer, CHROMIUM } = require('../e2e/server');

const RUNS = Number(process.env.RUNS || 20);
const DIST = path.resolve(__dirname, '..', 'dist');
const KB = 1024;

/** The WebAssembly that `page` (index.html or admin.html) loads, raw and gzip -9. */
function wasmSize(page) {
  const html = fs.readFileSync(path.join(DIST, page), 'utf8');
  const file = html.match(/[\w-]+_bg\.wasm/)[0];
  const bytes = fs.readFileSync(path.join(DIST, file));
  const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  return { file, raw: bytes.length, gzip };
}

/** Milliseconds from the form's submit event to the first frame showing the dashboard. */
async function loginToDashboard(browser, url, user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/en/login`);
  await page.locator('#email').fill(user.email);
  await page.locator('#password').fill(user.password);
  await page.evaluate(() => {
    document.addEventListener('submit', () => { window.benchSubmitted = performance.now(); }, true);
    new MutationObserver(() => {
      if (window.benchShown === undefined && document.querySelector('#welcome-title')) {
        window.benchShown = null;
        requestAnimationFrame(() => { window.benchShown = performance.now(); });
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.locator('button[type=submit]').click();
  await page.waitForFunction(() => typeof window.benchShown === 'number');
  const elapsed = await page.evaluate(() => window.benchShown - window.benchSubmitted);
  await context.close();
  return elapsed;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

(async () => {
  // What every visitor loads (the goal), and the admin console's bundle, loaded apart.
  const size = wasmSize('index.html');
  console.log(`wasm ${size.file}: ${(size.raw / KB).toFixed(1)} KiB raw, ${(size.gzip / KB).toFixed(1)} KiB gzip -9 (goal <= 250 KB gzip)`);
  const admin = wasmSize('admin.html');
  console.log(`admin console's wasm ${admin.file} (admin routes only): ${(admin.raw / KB).toFixed(1)} KiB raw, ${(admin.gzip / KB).toFixed(1)} KiB gzip -9`);

  const server = await startServer();
  const browser = await chromium.launch(CHROMIUM);
  try {
    // One unmeasured run warms the server's pools and the browser's caches.
    await loginToDashboard(browser, server.url, server.users.student);
    const times = [];
    for (let run = 0; run < RUNS; run += 1) {
      times.push(await loginToDashboard(browser, server.url, server.users.student));
    }
    times.sort((a, b) => a - b);
    const ms = (value) => `${value.toFixed(0)} ms`;
    console.log(
      `login -> dashboard over ${RUNS} runs: median ${ms(percentile(times, 50))}, p90 ${ms(percentile(times, 90))}, ` +
        `min ${ms(times[0])}, max ${ms(times[times.length - 1])} (goal < 300 ms)`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
