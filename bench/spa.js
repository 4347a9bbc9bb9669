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

/**
 * Milliseconds from the form's submit event to the first frame showing `shown` (the
 * dashboard's heading, or the admin console's users table, which is a second page load:
 * times are wall-clock, kept across it in sessionStorage).
 */
async function loginToDashboard(browser, url, user, shown) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript((selector) => {
    document.addEventListener('submit', () => sessionStorage.setItem('benchSubmitted', String(Date.now())), true);
    new MutationObserver(() => {
      if (window.benchShown === undefined && document.querySelector(selector)) {
        window.benchShown = null;
        requestAnimationFrame(() => { window.benchShown = Date.now(); });
      }
    }).observe(document, { childList: true, subtree: true });
  }, shown);
  await page.goto(`${url}/en/login`);
  await page.locator('#email').fill(user.email);
  await page.locator('#password').fill(user.password);
  await page.locator('button[type=submit]').click();
  await page.waitForFunction(() => typeof window.benchShown === 'number' && sessionStorage.getItem('benchSubmitted'));
  const elapsed = await page.evaluate(() => window.benchShown - Number(sessionStorage.getItem('benchSubmitted')));
  await context.close();
  return elapsed;
}

/** The login time of `user` over RUNS runs, after one to warm up, as a line. */
async function measure(browser, url, user, shown, what, goal) {
  await loginToDashboard(browser, url, user, shown);
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    times.push(await loginToDashboard(browser, url, user, shown));
  }
  times.sort((a, b) => a - b);
  const ms = (value) => `${value.toFixed(0)} ms`;
  return `login -> ${what} over ${RUNS} runs: median ${ms(percentile(times, 50))}, p90 ${ms(percentile(times, 90))}, ` +
    `min ${ms(times[0])}, max ${ms(times[times.length - 1])}${goal}`;
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
    const { student, admin } = server.users;
    console.log(await measure(browser, server.url, student, '#welcome-title', 'dashboard', ' (goal < 300 ms)'));
    // An admin signs in on the main bundle and then loads the console's page.
    console.log(await measure(browser, server.url, admin, 'main table', 'admin console (users listed)', ''));
  } finally {
    await browser.close();
    await server.stop();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
