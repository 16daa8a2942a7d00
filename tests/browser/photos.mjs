// The browser test of the picture pages (run by tests/api/browser.rs): in Debian's headless
// chromium, a merchant logs in, sets a title for the batch on /register, chooses one photo,
// drops another on the page and adds a file that is not a picture; both photos get their
// certificate link once anchored, the third its refusal in words. One certificate shows the
// title, the thumbnail and the court and notary co-signers and prints on one A4 page; /search
// finds the photo; seven files go up at most three at a time; /register and /search fit a
// 390 px phone screen.
//
// Environment: BASE_URL, API_KEY (a merchant's), PHOTO_A, PHOTO_B (two JPEG files), NOT_A_PHOTO
// (a text file), OUT_DIR (screenshots, PDF).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { env, expect, fits, launch, logIn, pdfPages } from './common.mjs';

const { BASE_URL, API_KEY, PHOTO_A, PHOTO_B, NOT_A_PHOTO, OUT_DIR } =
  env('BASE_URL', 'API_KEY', 'PHOTO_A', 'PHOTO_B', 'NOT_A_PHOTO', 'OUT_DIR');

const TITLE = 'Spring collection';

/** Drops `path` on the page's drop zone as a person dragging the file from a folder would. */
async function drop(page, path) {
  const dataTransfer = await page.evaluateHandle(([name, base64]) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: 'image/jpeg' }));
    return transfer;
  }, [basename(path), readFileSync(path).toString('base64')]);
  await page.dispatchEvent('#dropzone', 'dragover', { dataTransfer });
  await page.dispatchEvent('#dropzone', 'drop', { dataTransfer });
}

const browser = await launch();
try {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const refused = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) refused.push(m.text());
  });
  page.on('pageerror', (e) => refused.push(String(e)));

  await logIn(page, BASE_URL, API_KEY);
  await Promise.all([page.waitForURL(`${BASE_URL}/register`), page.click('nav a[href="/register"]')]);
  expect((await page.textContent('h1')) === 'Register photos', 'the navigation leads a merchant to /register');

  // One batch: a title and an author for every photo, public; one chosen, one dropped, one text file.
  await page.fill('#title', TITLE);
  await page.fill('#author', 'Studio Lin');
  await page.check('#public');
  await page.setInputFiles('#files', PHOTO_A);
  await drop(page, PHOTO_B);
  await page.setInputFiles('#files', NOT_A_PHOTO);
  expect((await page.locator('#uploads li').count()) === 3, 'three files are listed, each with its line');
  await page.waitForFunction(
    () => document.querySelectorAll('#uploads li.anchored a.certificate-link').length === 2
      && document.querySelectorAll('#uploads li.failed').length === 1,
    null,
    { timeout: 60000, polling: 200 },
  );
  const links = await page.$$eval('#uploads li.anchored a.certificate-link', (as) => as.map((a) => a.getAttribute('href')));
  expect(links.length === 2 && links[0] !== links[1] && links.every((l) => /^\/e\/[0-9a-f-]{36}$/.test(l)),
    `both photos link their certificate once anchored (${links.join(', ')})`);
  const failed = await page.textContent('#uploads li.failed .state');
  expect(failed.includes('not a JPEG, PNG or WebP picture'), `the text file is refused in words ("${failed}")`);
  const summary = (await page.textContent('#summary')).trim();
  expect(summary === '2 of 3 anchored, 1 not registered', `the summary counts them ("${summary}")`);
  await page.screenshot({ path: join(OUT_DIR, 'register.png'), fullPage: true });
  expect(refused.length === 0, `the page's script runs under its Content-Security-Policy (${refused.join('; ')})`);

  // One certificate: title, thumbnail, co-signers; one A4 page.
  await Promise.all([page.waitForURL(`${BASE_URL}${links[0]}`), page.click(`#uploads a[href="${links[0]}"]`)]);
  const title = (await page.textContent('dd.picture-title')).trim();
  expect(title === TITLE, `the certificate shows the title ("${title}")`);
  const cosigners = await page.textContent('table.list');
  expect(cosigners.includes('court') && cosigners.includes('notary'), 'the court and the notary co-signed it');
  expect(await page.$eval('figure.picture img', (img) => img.complete && img.naturalWidth > 0), 'the thumbnail is shown');
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true, path: join(OUT_DIR, 'photo-certificate.pdf') });
  expect(pdfPages(pdf) === 1, `the photo's certificate prints on one A4 page (${pdfPages(pdf)})`);
  await page.emulateMedia({ media: 'screen' });

  // Anyone searches with the photo: the registration, with its title, in words.
  const visitor = await (await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } })).newPage();
  await visitor.goto(`${BASE_URL}/search`);
  await fits(visitor, '/search');
  await visitor.setInputFiles('#file', PHOTO_A);
  await Promise.all([visitor.waitForURL(`${BASE_URL}/search`), visitor.click('form.stack button[type=submit]')]);
  const match = await visitor.textContent('.card.match');
  expect(match.includes(TITLE) && match.includes('identical file') && match.includes('earliest'),
    'the search shows the registration, earliest, identical');
  await fits(visitor, 'the search result');
  await visitor.screenshot({ path: join(OUT_DIR, 'search-phone.png'), fullPage: true });

  // /register on a phone: seven files at once (each answer held back 300 ms) go up at most
  // three at a time, each with its line.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${BASE_URL}/register`);
  await fits(phone, '/register');
  let inFlight = 0;
  let mostInFlight = 0;
  await phone.route('**/register/upload', async (route) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const response = await route.fetch();
    await new Promise((done) => setTimeout(done, 300));
    inFlight -= 1;
    await route.fulfill({ response });
  });
  const notes = readFileSync(NOT_A_PHOTO);
  await phone.setInputFiles('#files', Array.from({ length: 7 }, (_, i) => ({
    name: `notes-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: notes,
  })));
  await phone.waitForFunction(() => document.querySelectorAll('#uploads li.failed').length === 7, null, { timeout: 30000 });
  expect(mostInFlight === 3, `seven files upload at most three at a time (${mostInFlight} at most)`);
  const refusals = await phone.$$eval('#uploads li.failed .state', (s) => s.map((e) => e.textContent));
  expect(refusals.every((r) => r.includes('not a JPEG, PNG or WebP picture')), 'each refusal is in words');
  await fits(phone, '/register with uploads listed');
  await phone.goto(`${BASE_URL}${links[1]}`);
  await fits(phone, "a photo's certificate");
  await phone.screenshot({ path: join(OUT_DIR, 'photo-certificate-phone.png'), fullPage: true });
} finally {
  await browser.close();
}
console.log('photos flow passed');
