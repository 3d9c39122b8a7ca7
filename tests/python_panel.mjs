// Model._repr_html_'s interactive panel (tests/python_package.sh): the HTML
// a model shows in Jupyter, opened in Chromium; in its iframe the panel's
// WebAssembly must give the next-character probabilities of the native
// `makemore probs` for the same model.bin.
//   node tests/python_panel.mjs PAGE.html MODEL_DIR   (MAKEMORE, CHROMIUM)
import {execFileSync} from 'node:child_process';
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const puppeteer = createRequire(path.join(here, 'web', 'package.json'))('puppeteer-core');
const [page_html, dir] = process.argv.slice(2).map((p) => path.resolve(p));
const native = {};
for (const {char, prob} of JSON.parse(execFileSync(process.env.MAKEMORE, ['probs', '-o', dir, '--prefix=em', '--json'],
                                                   {encoding: 'utf8'})).probs) native[char] = prob;
const browser = await puppeteer.launch({executablePath: process.env.CHROMIUM, headless: 'new', args: ['--no-sandbox']});
let diff = Infinity, detail = '';
try {
  const page = await browser.newPage();
  await page.goto('file://' + page_html);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.makemore, {timeout: 120000});
  await frame.evaluate(() => window.makemore.ready());
  const got = await frame.evaluate(() => window.makemore.nextProbs('em'));
  const keys = Object.keys(native);
  diff = keys.length === Object.keys(got).length ? Math.max(...keys.map((k) => Math.abs(got[k] - native[k]))) : Infinity;
  detail = `after 'em': m ${got.m}`;
} catch (e) {
  detail = String(e.message || e);
} finally {
  await browser.close();
}
const ok = diff < 1e-5;
console.log(`${ok ? 'ok' : 'not ok'} - Model._repr_html_'s panel runs in its iframe and gives makemore probs' numbers ` +
            `(max diff ${diff}; ${detail})`);
process.exit(ok ? 0 : 1);
