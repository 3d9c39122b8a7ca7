// tests/test_report_page.sh: each report.html's interactive panel in
// Chromium, against the native CLI that trained it. One "ok - " /
// "not ok - " line per check; exits non-zero on any failure.
//   node test_report.mjs KIND=DIR ...   (MAKEMORE, CHROMIUM in the environment)
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const TOL = 1e-5;
const native = path.resolve(process.env.MAKEMORE);
const runs = process.argv.slice(2).map((a) => { const i = a.indexOf('='); return [a.slice(0, i), path.resolve(a.slice(i + 1))]; });
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}
const cli = (args) => execFileSync(native, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
// {char: prob} from `makemore probs --json`
function nativeProbs(dir, prefix) {
  const out = {};
  for (const {char, prob} of JSON.parse(cli(['probs', '-o', dir, '--json', ...(prefix ? ['--prefix=' + prefix] : [])])).probs) out[char] = prob;
  return out;
}
// the largest |difference| between two {char: prob}, Infinity when the characters differ
function maxDiff(a, b) {
  const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  if (ka.join('\u0001') !== kb.join('\u0001')) return Infinity;
  return Math.max(...ka.map((k) => Math.abs(a[k] - b[k])));
}

// The bars as drawn: [{char, prob, width (% of the track), text}]
const readBars = (page) => page.$$eval('#mm-bars .mm-row', (rows) => rows.map((r) => ({
  char: r.dataset.char, prob: Number(r.dataset.prob), text: r.querySelector('.mm-p').textContent,
  width: r.querySelector('.mm-bar').getBoundingClientRect().width / r.querySelector('.mm-track').getBoundingClientRect().width,
})));

async function typePrefix(page, prefix) {
  await page.click('#mm-prefix', {clickCount: 3});
  await page.keyboard.press('Backspace');
  await page.type('#mm-prefix', prefix);
  await page.waitForFunction((p) => document.getElementById('mm-status').textContent.startsWith(`after "${p}"`) ||
                             document.getElementById('mm-error').textContent !== '', {timeout: 20000}, prefix);
}

// checks the bars for prefix against the native distribution; returns the largest difference
async function checkBars(page, kind, prefix, want) {
  await typePrefix(page, prefix);
  const bars = await readBars(page);
  const got = Object.fromEntries(bars.map((b) => [b.char, b.prob]));
  const d = maxDiff(got, want), top = bars.length ? bars[0].prob : 0;
  check(bars.length === Object.keys(want).length && d <= TOL,
        `${kind}: typing "${prefix}" draws one bar per character, each equal to makemore probs to 1e-5`,
        `${bars.length} bars, max diff ${d.toExponential(2)}`);
  const sorted = bars.every((b, i) => i === 0 || bars[i - 1].prob >= b.prob);
  const widths = bars.every((b) => Math.abs(b.width - b.prob / top) < 0.01);
  const texts = bars.every((b) => b.text === `${(100 * b.prob).toFixed(2)}%`);
  check(sorted && widths && texts, `${kind}: the bars for "${prefix}" are likeliest first, long in proportion, labelled in %`);
  return d;
}

async function checkSamples(page, kind, dir, prefix) {
  // the slider by keyboard: ten steps of 0.05 down from 1
  await page.focus('#mm-temp');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowLeft');
  const shown = await page.$eval('#mm-temp-value', (e) => e.textContent);
  check(shown === '0.50', `${kind}: moving the temperature slider shows its value`, shown);
  await page.$eval('#mm-from-prefix', (e, on) => { if (e.checked !== on) e.click(); }, Boolean(prefix));
  const before = await page.$eval('#mm-sample-info', (e) => e.textContent);
  await page.click('#mm-draw');
  await page.waitForFunction((b) => document.getElementById('mm-sample-info').textContent !== b ||
                             document.getElementById('mm-error').textContent !== '', {timeout: 20000}, before);
  const got = await page.$$eval('#mm-samples li', (li) => li.map((x) => x.textContent));
  const info = await page.$eval('#mm-sample-info', (e) => ({...e.dataset}));
  const args = ['sample', '-o', dir, '-n', '20', '--temperature', info.temperature, '--seed', info.seed, '--json'];
  if (prefix) args.push('--prefix=' + prefix);
  const want = JSON.parse(cli(args)).samples.map((s) => s.text);
  check(info.temperature === '0.5' && got.length === 20 && got.join('\n') === want.join('\n') &&
        got.every((t) => t.startsWith(prefix)),
        `${kind}: Draw gives the 20 samples of makemore sample at the slider's temperature and the shown seed` +
        (prefix ? `, all starting with "${prefix}"` : ''), `T ${info.temperature}, seed ${info.seed}: ${got.slice(0, 3).join(' ')} ...`);
  const api = await page.evaluate((p) => window.makemore.sample({n: 5, temperature: 1.5, seed: 7, prefix: p}), prefix);
  const apiWant = JSON.parse(cli(['sample', '-o', dir, '-n', '5', '--temperature', '1.5', '--seed', '7', '--json',
                                  ...(prefix ? ['--prefix=' + prefix] : [])])).samples.map((s) => s.text);
  check(api.join('\n') === apiWant.join('\n'), `${kind}: window.makemore.sample equals makemore sample (T 1.5, seed 7)`);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM, headless: 'new',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const worst = [];
try {
  for (const [kind, dir] of runs) {
    const page = await browser.newPage();
    const url = 'file://' + path.join(dir, 'report.html');
    const requests = [], errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(url);
    const loaded = await page.evaluate(() => window.makemore.ready().then(() => 'ready', (e) => String(e)));
    check(loaded === 'ready', `${kind}: report.html opens from file:// and its WebAssembly module loads`, loaded);
    if (loaded !== 'ready') { await page.close(); continue; }

    // a prefix longer than any model's context, and the words' own letters
    const first = Object.keys(nativeProbs(dir, '')).filter((c) => c !== '.').sort();
    const long = first.slice(0, 3).join('').repeat(4);
    const typed = first[0] + first[1];
    let d = await checkBars(page, kind, typed, nativeProbs(dir, typed));
    const apiDiffs = [];
    for (const p of ['', typed, long]) {
      const got = await page.evaluate((x) => window.makemore.nextProbs(x), p);
      apiDiffs.push(maxDiff(got, nativeProbs(dir, p)));
    }
    d = Math.max(d, ...apiDiffs);
    check(apiDiffs.every((x) => x <= TOL),
          `${kind}: window.makemore.nextProbs("", "${typed}", "${long}") equals makemore probs to 1e-5`,
          apiDiffs.map((x) => x.toExponential(2)).join(', '));
    worst.push([kind, d]);

    if (kind === runs[0][0]) {
      // a character the vocabulary lacks: the CLI's one-line message, no bars
      await typePrefix(page, typed + '#');
      const msg = await page.$eval('#mm-error', (e) => e.textContent);
      const nbars = await page.$$eval('#mm-bars .mm-row', (r) => r.length);
      check(/--prefix/.test(msg) && nbars === 0, 'an unknown character in the prefix shows the CLI\'s message', msg);
      const rej = await page.evaluate(() => window.makemore.nextProbs('#').then(() => 'resolved', (e) => e.message));
      check(/--prefix/.test(rej), 'nextProbs rejects with the CLI\'s message', rej);
      await typePrefix(page, typed);
    }
    await checkSamples(page, kind, dir, kind === runs[0][0] ? typed : '');

    const net = requests.filter((u) => u !== url && !u.startsWith('blob:'));
    check(net.length === 0, `${kind}: no request but the page itself (and its worker, from a Blob)`, net.slice(0, 3).join(' '));
    check(errors.length === 0, `${kind}: no page errors`, errors.slice(0, 2).join(' | '));
    await page.close();
  }
} finally {
  await browser.close();
}
console.log('# largest |page - makemore probs| per kind: ' + worst.map(([k, d]) => `${k} ${d.toExponential(2)}`).join(', '));
process.exit(failures ? 1 : 0);
