// The certificate's screenshots in docs/screenshots/ (run by hand, not in CI):
//   cargo test --test api certificate_screenshots -- --ignored
// starts a service with a named operator, registers and anchors a document, and runs this with
// BASE_URL, API_KEY (the owner's), EVIDENCE_ID and OUT_DIR (docs/screenshots). It takes the
// owner's certificate in English and in Chinese (screen) and in English as printed (print media
// emulated, A4 width), and checks that the print fits one A4 page.
import { join } from 'node:path';
import { env, expect, launch, logIn, pdfPages } from './common.mjs';

const { BASE_URL, API_KEY, EVIDENCE_ID, OUT_DIR } = env('BASE_URL', 'API_KEY', 'EVIDENCE_ID', 'OUT_DIR');

const browser = await launch();
try {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  await logIn(page, BASE_URL, API_KEY);
  await page.goto(`${BASE_URL}/e/${EVIDENCE_ID}?lang=en`);
  await page.screenshot({ path: join(OUT_DIR, 'certificate-en.png'), fullPage: true });
  await page.goto(`${BASE_URL}/e/${EVIDENCE_ID}?lang=zh`);
  expect((await page.textContent('h1')) === '存证证书', 'the certificate in Chinese');
  await page.screenshot({ path: join(OUT_DIR, 'certificate-zh.png'), fullPage: true });
  await page.goto(`${BASE_URL}/e/${EVIDENCE_ID}?lang=en`);
  await page.emulateMedia({ media: 'print' });
  // A4 at 96 dpi less the 15 mm margins: what the printed page holds.
  await page.setViewportSize({ width: 680, height: 1010 });
  await page.screenshot({ path: join(OUT_DIR, 'certificate-print.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  expect(pdfPages(pdf) === 1, `the printed certificate fits one A4 page (${pdfPages(pdf)})`);
} finally {
  await browser.close();
}
