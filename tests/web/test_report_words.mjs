// tests/test_report_page.sh: report.html's panel for a word model in
// Chromium, against the native CLI that trained it: typed words give bars
// for the 20 likeliest next words (makemore probs --top 20, to 1e-5), an
// unknown word the CLI's message, and Draw the samples of makemore sample.
//   node test_report_words.mjs DIR PREFIX   (MAKEMORE, CHROMIUM in the environment)
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const TOL = 1e-5;
const native = path.resolve(process.env.MAKEMORE);
const dir = path.resolve(process.argv[2]), prefix = process.argv[3];
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}
const cli = (args) => execFileSync(native, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
const top20 = (p) => JSON.parse(cli(['probs', '-o', dir, '--json', '--top', '20', ...(p ? ['--prefix=' + p] : [])])).probs;

async function typePrefix(page, text) {
  await page.click('#mm-prefix', {clickCount: 3});
  await page.keyboard.press('Backspace');
  await page.type('#mm-prefix', text);
  await page.waitForFunction((p) => document.getElementById('mm-status').textContent.startsWith(`after "${p}"`) ||
                             document.getElementById('mm-error').textContent !== '', {timeout: 30000}, text);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM, headless: 'new',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.join(dir, 'report.html'));
  const loaded = await page.evaluate(() => window.makemore.ready().then(() => 'ready', (e) => String(e)));
  check(loaded === 'ready', 'words: report.html opens and its WebAssembly module loads', loaded);
  if (loaded === 'ready') {
    await typePrefix(page, prefix);
    const bars = await page.$$eval('#mm-bars .mm-row', (rows) => rows.map((r) => ({word: r.dataset.char, prob: Number(r.dataset.prob)})));
    const want = top20(prefix);
    const same = bars.length === 20 && bars.every((b, i) => b.word === want[i].word && Math.abs(b.prob - want[i].prob) <= TOL);
    check(same, `words: typing "${prefix}" draws bars for the 20 likeliest next words, as makemore probs --top 20`,
          bars.slice(0, 3).map((b) => `${b.word} ${b.prob.toFixed(4)}`).join(', '));
    const status = await page.$eval('#mm-status', (e) => e.textContent);
    check(/the 20 likeliest words/.test(status), 'words: the status names the 20 likeliest words', status);
    const api = await page.evaluate((p) => window.makemore.nextProbs(p), prefix);
    check(Object.keys(api).length === 20 && want.every((w) => Math.abs(api[w.word] - w.prob) <= TOL),
          'words: window.makemore.nextProbs gives the same 20 words');
    await typePrefix(page, prefix + ' Zzyzx');
    const msg = await page.$eval('#mm-error', (e) => e.textContent);
    check(/the word 'Zzyzx'/.test(msg), 'words: an unknown word shows the CLI\'s message', msg);
    const got = await page.evaluate((p) => window.makemore.sample({n: 5, temperature: 1, seed: 3, prefix: p}), prefix);
    const cliSamples = JSON.parse(cli(['sample', '-o', dir, '-n', '5', '--seed', '3', '--json', '--prefix=' + prefix]))
      .samples.map((s) => s.text);
    check(got.join('\n') === cliSamples.join('\n') && got.every((s) => s === prefix || s.startsWith(prefix + ' ')),
          'words: samples with a word prefix equal makemore sample\'s', got.join(' | '));
  }
  check(errors.length === 0, 'words: no page errors', errors.slice(0, 2).join(' | '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
