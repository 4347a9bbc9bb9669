// axe-core's WCAG 2.1 A/AA rules on every page, in both languages. The check's script is
// injected into the page, which the SPA's CSP forbids; these contexts bypass it.
const { test, expect } = require('@playwright/test');

const BASE = process.env.HALLPASS_URL;
const USERS = JSON.parse(process.env.HALLPASS_USERS || '{}');

test.use({ baseURL: BASE, bypassCSP: true });

async function violations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  // A page axe could not read would pass vacuously.
  expect(result.passes.length).toBeGreaterThan(10);
  return result.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    where: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  }));
}

async function logIn(page, persona, locale) {
  await page.goto(`/${locale}/login`);
  await page.locator('#email').fill(USERS[persona].email);
  await page.locator('#password').fill(USERS[persona].password);
  await page.locator('button[type=submit]').click();
}

for (const locale of ['en', 'fr']) {
  test(`every page passes axe's WCAG AA rules (${locale})`, async ({ page, browser }) => {
    await page.goto(`/${locale}/login`);
    await expect(page.locator('#email')).toBeVisible();
    expect(await violations(page)).toEqual([]);

    // A sign-in from another device first, so that the pages ask "was this you?".
    const elsewhere = await browser.newContext({
      baseURL: BASE,
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    });
    await logIn(await elsewhere.newPage(), 'admin', locale);
    await logIn(page, 'admin', locale);
    await expect(page.locator('.new-device').first()).toBeVisible();
    await expect(page.locator('table').first()).toBeVisible();
    await page.locator('tbody tr').first().getByRole('button').first().click();
    await expect(page.locator('.session-card').first()).toBeVisible();
    expect(await violations(page)).toEqual([]);

    await page.goto(`/${locale}/admin/policies`);
    await expect(page.locator('.policy-effect').first()).toBeAttached();
    // An idle timeout turned on shows its fields; a bad count shows its message.
    const card = page.locator('.policy').first();
    await card.locator('input[type=checkbox]').check();
    await card.locator('input[type=number]').first().fill('0');
    await card.getByRole('button').click();
    await expect(card.locator('.field-error')).toBeVisible();
    expect(await violations(page)).toEqual([]);

    await page.goto(`/${locale}/profile`);
    await expect(page.locator('.session-card.current')).toBeVisible();
    expect(await violations(page)).toEqual([]);
    // The rename form, open.
    await page.locator('.session-card.current button').first().click();
    await expect(page.locator('.session-name-form input')).toBeFocused();
    expect(await violations(page)).toEqual([]);
    await elsewhere.close();

    await page.goto(`/${locale}/nowhere`);
    await expect(page.locator('h1')).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
}
