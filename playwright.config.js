// End-to-end tests of the SPA against the real server, PostgreSQL and Redis, in Debian's
// Chromium (see e2e/server.js). Run through scripts/e2e.sh, which builds what they need.
const { defineConfig } = require('@playwright/test');
const { CHROMIUM } = require('./e2e/server');

module.exports = defineConfig({
  testDir: 'e2e',
  globalSetup: require.resolve('./e2e/global-setup.js'),
  // The tests share one server; each persona is used by one test at a time.
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  outputDir: 'target/e2e-results',
  use: {
    launchOptions: CHROMIUM,
    locale: 'en-GB',
    viewport: { width: 1200, height: 800 },
  },
});
