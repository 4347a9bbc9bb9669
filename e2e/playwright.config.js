// End-to-end tests of the SPA against the real server, PostgreSQL and Redis, in Debian's
// Chromium (see server.js). Run through scripts/e2e.sh, which builds what they need.
const path = require('node:path');
const { defineConfig } = require('@playwright/test');
const { CHROMIUM } = require('./server');

module.exports = defineConfig({
  testDir: '.',
  globalSetup: require.resolve('./global-setup.js'),
  // The tests share one server; each persona is used by one test at a time.
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  outputDir: path.resolve(__dirname, '..', 'target', 'e2e-results'),
  use: {
    launchOptions: CHROMIUM,
    locale: 'en-GB',
    viewport: { width: 1200, height: 800 },
  },
});
