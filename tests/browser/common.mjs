// What the browser flows (flow.mjs, photos.mjs) share: checks that print what passed, the login
// form, the phone-width check and Debian's headless chromium.
import { chromium } from 'playwright-core';

/** The environment variables `names`, each required. */
export function env(...names) {
  const values = {};
  for (const name of names) {
    if (!process.env[name]) throw new Error(`${name} is not set`);
    values[name] = process.env[name];
  }
  return values;
}

export function expect(condition, what) {
  if (!condition) throw new Error(`expected: ${what}`);
  console.log(`ok: ${what}`);
}

/** Logs `page` in with `key` through the login form. */
export async function logIn(page, baseUrl, key) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#api_key', key);
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('form.stack button[type=submit]')]);
}

/** Whether the page as shown fits the width of its viewport. */
export async function fits(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll <= width, `${what} fits a phone screen (${scroll} <= ${width} px)`);
}

/** The number of pages of a PDF that chromium printed. */
export function pdfPages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
