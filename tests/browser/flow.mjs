// The browser test of the pages (run by tests/api/browser.rs): in Debian's headless chromium,
// log in, open an evidence page, download its receipt, upload it on /verify and read "Valid",
// print the certificate to one A4 page, then switch to Chinese. Then the invoice pages: an
// insurer checks an invoice and claims it in one click, a hospital sees the claim; every page
// fits a 390 px phone screen.
//
// Environment: BASE_URL, API_KEY, EVIDENCE_ID, OUT_DIR (downloads, PDF, screenshots),
// HOSPITAL_KEY, INSURER_KEY, INVOICE_FILE (an issued invoice's JSON).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, expect, fits, launch, logIn as logInAt, pdfPages } from './common.mjs';

const { BASE_URL, API_KEY, EVIDENCE_ID, OUT_DIR, HOSPITAL_KEY, INSURER_KEY, INVOICE_FILE } =
  env('BASE_URL', 'API_KEY', 'EVIDENCE_ID', 'OUT_DIR', 'HOSPITAL_KEY', 'INSURER_KEY', 'INVOICE_FILE');

const logIn = (page, key) => logInAt(page, BASE_URL, key);

const browser = await launch();
try {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
  const page = await context.newPage();

  // Log in with the API key.
  await logIn(page, API_KEY);
  expect((await page.textContent('header.site')).includes('Signed in as'), 'logged in');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'session');
  expect(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');

  // The owner's evidence page, and its receipt.
  await page.goto(`${BASE_URL}/e/${EVIDENCE_ID}`);
  expect((await page.textContent('h1')) === 'Evidence certificate', 'the evidence page opens');
  expect(await page.isVisible('section.owner'), "the owner's details are shown");
  expect(await page.isVisible('figure.qr svg'), 'the QR code is shown');
  await page.screenshot({ path: join(OUT_DIR, 'evidence.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(OUT_DIR, 'certificate.pdf') });
  const pages = pdfPages(pdf);
  expect(pages === 1, `the printed certificate fits one A4 page (${pages})`);
  await page.emulateMedia({ media: 'screen' });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="/e/${EVIDENCE_ID}/receipt.json"]`)]);
  const receipt = join(OUT_DIR, 'receipt.json');
  await download.saveAs(receipt);
  expect(JSON.parse(readFileSync(receipt, 'utf8')).evidence.id === EVIDENCE_ID, 'the receipt downloads');

  // Verify it.
  await page.goto(`${BASE_URL}/verify`);
  await page.setInputFiles('#receipt', receipt);
  await Promise.all([page.waitForURL(`${BASE_URL}/verify`), page.click('form.stack button[type=submit]')]);
  await page.waitForSelector('#verdict');
  const verdict = (await page.textContent('#verdict')).trim();
  await page.screenshot({ path: join(OUT_DIR, 'verify.png'), fullPage: true });
  expect(verdict === 'Valid', `the receipt verifies ("${verdict}")`);
  expect((await page.locator('li.check.failed').count()) === 0, 'no check failed');

  // Readable on a phone: no page is wider than a 390 px screen.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/', `/e/${EVIDENCE_ID}`, '/verify', '/search', '/register', '/blocks', '/blocks/0', '/login']) {
    await phone.goto(`${BASE_URL}${path}`);
    await fits(phone, path);
  }
  await phone.goto(`${BASE_URL}/e/${EVIDENCE_ID}`);
  await phone.screenshot({ path: join(OUT_DIR, 'evidence-phone.png'), fullPage: true });
  await phone.close();

  // Switch to Chinese; the choice sticks.
  await Promise.all([page.waitForURL(/lang=zh/), page.click('a.lang')]);
  expect((await page.getAttribute('html', 'lang')) === 'zh-Hans', 'the page is in Chinese');
  expect((await page.textContent('h1')) === '验证收据', 'the verify page heading is Chinese');
  await page.setInputFiles('#receipt', receipt);
  await Promise.all([page.waitForURL(`${BASE_URL}/verify`), page.click('form.stack button[type=submit]')]);
  expect((await page.textContent('#verdict')).trim() === '有效', 'the verdict reads 有效');
  await page.goto(`${BASE_URL}/e/${EVIDENCE_ID}`);
  expect((await page.textContent('h1')) === '存证证书', 'the language choice persists');
  await page.screenshot({ path: join(OUT_DIR, 'evidence-zh.png'), fullPage: true });

  // An insurer on a phone: paste the invoice, read the verdict, claim in one click.
  const insurer = await (await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } })).newPage();
  await logIn(insurer, INSURER_KEY);
  await insurer.goto(`${BASE_URL}/invoices/check`);
  await fits(insurer, '/invoices/check');
  await insurer.fill('#invoice', readFileSync(INVOICE_FILE, 'utf8'));
  await Promise.all([insurer.waitForURL(`${BASE_URL}/invoices/check`), insurer.click('form[action="/invoices/check"] button[type=submit]')]);
  expect((await insurer.textContent('#verdict')).trim() === 'Authentic', 'the pasted invoice is authentic');
  expect((await insurer.inputValue('#amount')) === '100.00', 'the claim form offers the remaining amount');
  await fits(insurer, 'the check result');
  await insurer.screenshot({ path: join(OUT_DIR, 'invoice-check-phone.png'), fullPage: true });
  await Promise.all([insurer.waitForURL(`${BASE_URL}/invoices/claim`), insurer.click('form.claim button[type=submit]')]);
  expect((await insurer.textContent('#outcome')).trim() === 'Claim recorded', 'one click claims the invoice');
  await fits(insurer, 'the claim result');

  // The hospital on a phone: its invoice with the claim and the check.
  const hospital = await (await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } })).newPage();
  await logIn(hospital, HOSPITAL_KEY);
  await hospital.goto(`${BASE_URL}/invoices`);
  const card = await hospital.textContent('section.invoice');
  expect(card.includes('Demo insurer') && card.includes('Authentic'), 'the hospital sees the claim and the check');
  await fits(hospital, '/invoices');
  await hospital.screenshot({ path: join(OUT_DIR, 'invoices-phone.png'), fullPage: true });
} finally {
  await browser.close();
}
console.log('browser flow passed');
