// tests/test_web.sh: the page in Chromium. One "ok - " / "not ok - " line
// per check; exits non-zero on any failure.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const page_file = path.resolve(process.argv[2]);
const work = process.env.WORK;
const native = path.resolve(process.env.MAKEMORE);
const names = path.resolve(process.env.NAMES_TXT);
let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}
function cli(args, opts = {}) {
  return execFileSync(native, args, {cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts});
}
// 300 sentences from a small grammar, likelier words first in each list,
// and a few rare words that --min-count 2 makes <unk>
function wordCorpus() {
  let x = 12345;
  const rand = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = (w) => w[Math.min(w.length - 1, Math.floor(w.length * rand() * rand()))];
  const det = ['the', 'a', 'this', 'every', 'my'], adj = ['old', 'young', 'small', 'great', 'quiet', 'green', 'dark'];
  const noun = ['king', 'queen', 'man', 'woman', 'child', 'dog', 'horse', 'river', 'city', 'house', 'garden', 'tree',
                'road', 'ship', 'song', 'door'];
  const verb = ['saw', 'found', 'loved', 'built', 'crossed', 'followed', 'heard', 'kept', 'left', 'made'];
  const phrase = () => [pick(det), ...(rand() < 0.5 ? [pick(adj)] : []),
                        rand() < 0.03 ? 'zq' + Math.floor(rand() * 1e6) : pick(noun)];
  const lines = [];
  for (let i = 0; i < 300; i++) lines.push([...phrase(), pick(verb), ...phrase()].join(' '));
  return lines.join('\n') + '\n';
}
// the prefix set at once (one input event, one `probs`), the status cleared
// first: the page drops a late answer to an older prefix, so the next
// status is this prefix's
async function typePrefix(page, text) {
  await page.$eval('#prefix', (el, v) => {
    document.getElementById('next-status').textContent = '';
    el.value = v;
    el.dispatchEvent(new Event('input'));
  }, text);
  await page.waitForFunction(() => document.getElementById('next-status').textContent !== '', {timeout: 60000});
  return page.evaluate(() => ({
    status: document.getElementById('next-status').textContent,
    bars: [...document.querySelectorAll('#next-bars .mm-row')].map((r) => ({tok: r.dataset.char, prob: Number(r.dataset.prob)})),
  }));
}
const sameProbs = (bars, want, key) => bars.length === want.length &&
  bars.every((b, i) => b.tok === want[i][key] && Math.abs(b.prob - want[i].prob) <= 1e-5);
// the listed samples: each li's item (data-text), its mark (data-split) and what it shows
const listed = (page) => page.$$eval('#samples li', (li) => li.map((x) => ({text: x.dataset.text, split: x.dataset.split,
                                                                            cls: x.className, shown: x.textContent})));
// the page lists the CLI's samples ({text, split} of --json): their items, marks and shown text
const same = (xs, want) => xs.length === want.length && xs.every((x, i) => x.text === want[i].text &&
  x.split === want[i].split && x.shown === x.text + (x.split === 'new' ? '' : `  (${x.split})`));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM,
  headless: 'new',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const requests = [], errors = [];
try {
  const page = await browser.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const cdp = await page.target().createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {behavior: 'allow', downloadPath: work});
  await page.goto('file://' + page_file);
  await page.evaluate(() => window.makemore.ready());
  check(true, 'the page opens from file:// and its worker starts');
  // the built-in data: every non-blank line trains, and names.txt repeats some names
  const items = fs.readFileSync(names, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const label = await page.$eval('label:has(#builtin-count)', (el) => el.textContent.trim());
  const want = `names.txt (built in: ${items.length.toLocaleString('en')} names, ` +
    `${new Set(items).size.toLocaleString('en')} distinct)`;
  check(label === want, 'the data label gives names.txt\'s lines and its distinct names', label);

  // 1. the hook: the lecture run's first 2,000 steps, against the native portable build
  const flags = ['--max-steps', '2000', '-n', '5', '--lr-find', '200'];
  const web = await page.evaluate((f) => window.makemore.run(['train', ...f, '--json']), flags);
  const nat = JSON.parse(cli(['train', '-i', names, '-o', 'nat', ...flags, '--json', '-t', '1']));
  for (const k of ['init_train_loss', 'init_dev_loss', 'train_loss', 'dev_loss']) {
    const d = Math.abs(web[k] - nat[k]);
    check(d <= 1e-4, `run(train 2000 steps) ${k} equals the native portable build's to 1e-4`,
          `page ${web[k]}, native ${nat[k]}, diff ${d.toExponential(2)}`);
  }
  // (run() is queued: the page's own `train --model list` has finished)
  const kinds = await page.$$eval('#model option', (o) => o.map((x) => x.textContent.split(' ')[0]));
  const cliKinds = cli(['train', '--model', 'list']).trim().split('\n').map((l) => l.split(/\s+/)[0]);
  check(kinds.join() === cliKinds.join(), 'the model menu lists the CLI\'s kinds', kinds.join(', '));
  check(web.steps === 2000 && web.ntrain === nat.ntrain && web.samples.length === 5,
        'run() resolves to the --json object (steps, splits, samples)');
  let st = await page.evaluate(() => window.makemore.state());
  check(st.steps === 2000 && st.lrFind && st.embedding !== null,
        'the loss, lr sweep and embedding plots got their data', JSON.stringify(st));
  const painted = await page.evaluate(() => ['plot-loss', 'plot-lr', 'plot-emb'].map((id) => {
    const c = document.getElementById(id), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
    return n;
  }));
  check(painted.every((n) => n > 500), 'the three plots are drawn', painted.join(', '));

  // 2. a flag error: the CLI's one-line message
  const bad = await page.evaluate(() => window.makemore.run(['train', '--n-embd', 'x']).then(
    () => 'resolved', (e) => e.message));
  check(/^makemore: .*--n-embd/.test(bad), 'a bad flag rejects with the CLI\'s message', bad);

  // 3. the buttons: train, stop, resume, sample
  const setv = (id, v) => page.$eval('#' + id, (el, val) => { el.value = val; }, v);
  await setv('max-steps', '6000');
  const runs = (await page.evaluate(() => window.makemore.state())).runs;
  await page.click('#btn-train');
  // past the first checkpoint (the buttons save every 1000 steps), Stop is
  // pressed by the page itself in the same frame: the 6,000 steps take about
  // 2 s, and a round trip to puppeteer on a busy machine can outlast them
  await page.waitForFunction((n) => {
    const st = window.makemore.state();
    if (!(st.runs > n && st.steps >= 1500)) return false;
    document.getElementById('btn-stop').click();
    return true;
  }, {timeout: 60000}, runs);
  await page.waitForFunction(() => /stopped/.test(document.getElementById('error').textContent), {timeout: 30000});
  const stopMsg = await page.$eval('#error', (el) => el.textContent);
  check(/^makemore: stopped near step \d+/.test(stopMsg), 'Stop ends training at once', stopMsg);
  await page.click('#btn-resume');
  await page.waitForFunction(() => /^step 6000: train loss/.test(document.getElementById('result').textContent),
                             {timeout: 120000});
  const result = await page.$eval('#result', (el) => el.textContent);
  // the same 6000 steps straight in the portable build: stop and resume change nothing
  const straight = JSON.parse(cli(['train', '-i', names, '-o', 'straight', '--max-steps', '6000', '--save-every', '1000',
                                   '--json', '-t', '1']));
  const shown = /train loss ([0-9.]+), dev loss ([0-9.]+)/.exec(result);
  check(shown && Math.abs(Number(shown[1]) - straight.train_loss) <= 1e-4 &&
        Math.abs(Number(shown[2]) - straight.dev_loss) <= 1e-4,
        'stopped and resumed to step 6000, the page shows the losses of the portable build\'s straight run (4 decimals)',
        `${result}; native train ${straight.train_loss}, dev ${straight.dev_loss}`);
  let shownSamples = await listed(page);
  check(same(shownSamples, straight.samples), 'the run\'s 20 samples are listed, marked, as the straight run\'s --json',
        shownSamples.slice(0, 3).map((x) => x.shown).join(' | '));
  // the next character's bars for a typed prefix: the portable build's probs for the same model
  const charBars = await typePrefix(page, 'em');
  const charWant = JSON.parse(cli(['probs', '-o', 'straight', '--prefix', 'em', '--json'])).probs;
  check(sameProbs(charBars.bars, charWant, 'char') && /27 characters/.test(charBars.status),
        'typing "em" draws a bar for each of the 27 characters, as makemore probs --prefix em (1e-5)',
        `${charBars.status}; ${charBars.bars.slice(0, 3).map((b) => `${b.tok} ${b.prob.toFixed(4)}`).join(', ')}`);
  await page.$eval('#samples', (el) => { el.textContent = ''; });
  await page.click('#btn-sample');
  await page.waitForFunction(() => document.querySelectorAll('#samples li').length === 20, {timeout: 30000});
  const marks = await page.$$eval('#samples li', (li) => li.map((x) => x.className));
  check(marks.every((c) => c === 'new' || c === 'seen'), 'Sample lists 20 items, each marked new or seen',
        `${marks.filter((c) => c === 'new').length} new`);

  // 4. download model.bin: the native CLI samples from it
  await page.click('#btn-download');
  const dl = path.join(work, 'model.bin');
  for (let i = 0; i < 100 && !fs.existsSync(dl); i++) await new Promise((r) => setTimeout(r, 100));
  fs.mkdirSync(path.join(work, 'fromweb'), {recursive: true});
  let sampled = '';
  try {
    fs.renameSync(dl, path.join(work, 'fromweb', 'model.bin'));
    sampled = cli(['sample', '-o', 'fromweb', '-n', '3']);
  } catch (e) { sampled = ''; }
  check(sampled.trim().split('\n').length === 3, 'the downloaded model.bin samples in the native CLI');

  // 5. upload: a bad file gives the CLI's message; a CLI-trained model.bin loads
  const badFile = path.join(work, 'bad.bin');
  fs.writeFileSync(badFile, 'not a checkpoint at all\n');
  const up = await page.$('#upload');
  await up.uploadFile(badFile);
  await page.waitForFunction(() => document.getElementById('error').textContent !== '', {timeout: 30000});
  const upErr = await page.$eval('#error', (el) => el.textContent);
  check(/^makemore: .*upload\/model\.bin/.test(upErr) && !upErr.includes('\n'),
        'a bad upload shows the CLI\'s one-line message', upErr);
  cli(['train', '-i', names, '-o', 'cli', '--max-steps', '300', '--lr-find', '0', '-n', '0']);
  const nat3 = JSON.parse(cli(['eval', '-o', 'cli', '-i', names, '--json']));
  await up.uploadFile(path.join(work, 'cli', 'model.bin'));
  await page.waitForFunction(() => /^uploaded/.test(document.getElementById('result').textContent), {timeout: 30000});
  const upRes = await page.$eval('#result', (el) => el.textContent);
  const m = /dev loss ([0-9.]+)/.exec(upRes);
  check(m && Math.abs(Number(m[1]) - nat3.dev_loss) < 1e-4, 'a CLI-trained model.bin uploads and evaluates as in the CLI',
        `${upRes}; native dev ${nat3.dev_loss}`);

  // 6. word tokens: the user's word file, tokens = words, min count 2
  const wordsFile = path.join(work, 'words.txt');
  const corpus = wordCorpus();
  fs.writeFileSync(wordsFile, corpus);
  await (await page.$('#file')).uploadFile(wordsFile);
  await page.waitForFunction(() => document.getElementById('data-own').checked, {timeout: 30000});
  const own = await page.$eval('#own-name', (el) => el.textContent);
  const distinct = new Set(corpus.split('\n').filter(Boolean)).size;
  check(own === `words.txt (${distinct} distinct lines)`, 'a word file loads as the page\'s data', own);
  await page.select('#tokens', 'word');
  await setv('min-count', '2');
  await setv('max-steps', '400');
  await page.click('#btn-train');
  await page.waitForFunction(() => /^step 400: train loss/.test(document.getElementById('result').textContent),
                             {timeout: 120000});
  const wres = await page.$eval('#result', (el) => el.textContent);
  const natw = JSON.parse(cli(['train', '-i', wordsFile, '-o', 'natw', '--tokens', 'word', '--min-count', '2',
                               '--max-steps', '400', '--save-every', '1000', '--json', '-t', '1']));
  const wshown = /train loss ([0-9.]+), dev loss ([0-9.]+)/.exec(wres);
  check(wshown && Math.abs(Number(wshown[1]) - natw.train_loss) <= 1e-4 &&
        Math.abs(Number(wshown[2]) - natw.dev_loss) <= 1e-4,
        'Train with tokens = words: the losses of the portable build\'s --tokens word --min-count 2 run (4 decimals)',
        `${wres}; native train ${natw.train_loss}, dev ${natw.dev_loss}`);
  const vocab = new Set(JSON.parse(cli(['probs', '-o', 'natw', '--json'])).probs.map((p) => p.word));
  // (an empty item, the end drawn first, has no words)
  const wordy = (xs) => xs.every((x) => (x.text === '' || x.text.split(' ').every((w) => vocab.has(w) && w !== '</s>')) &&
                                  ['train', 'dev', 'test', 'new'].includes(x.split));
  shownSamples = await listed(page);
  check(wordy(shownSamples) && same(shownSamples, natw.samples),
        'the run\'s 20 samples are words of the vocabulary joined by one space, marked as the portable build\'s run',
        shownSamples.slice(0, 2).map((x) => `${x.text} (${x.split})`).join(' | '));
  const wbars = await typePrefix(page, 'the old');
  const wwant = JSON.parse(cli(['probs', '-o', 'natw', '--prefix', 'the old', '--top', '20', '--json'])).probs;
  check(sameProbs(wbars.bars, wwant, 'word') && /the 20 likeliest words/.test(wbars.status),
        'typing "the old" draws bars for the 20 likeliest next words, as makemore probs --top 20 (1e-5)',
        `${wbars.status}; ${wbars.bars.slice(0, 3).map((b) => `${b.tok} ${b.prob.toFixed(4)}`).join(', ')}`);
  const unknown = await typePrefix(page, 'the Zzyzx');
  check(/^makemore: .*the word 'Zzyzx'/.test(unknown.status) && unknown.bars.length === 0,
        'a word the vocabulary lacks shows the CLI\'s one-line message', unknown.status);
  await page.$eval('#samples', (el) => { el.textContent = ''; });
  await page.click('#btn-sample');
  await page.waitForFunction(() => document.querySelectorAll('#samples li').length === 20, {timeout: 30000});
  shownSamples = await listed(page);
  const nsw = JSON.parse(cli(['sample', '-o', 'natw', '-n', '20', '--json'])).samples;
  check(wordy(shownSamples) && same(shownSamples, nsw),
        'Sample prints 20 items of words, marked train/dev/test/new, as makemore sample -n 20 of the portable build',
        `${shownSamples.filter((x) => x.split === 'new').length} new`);

  const net = requests.filter((u) => !/^(file|data|blob):/.test(u));
  check(net.length === 0, 'no network request was made', net.slice(0, 3).join(' '));
  check(errors.length === 0, 'no page errors', errors.slice(0, 3).join(' | '));
} catch (e) {
  check(false, 'the browser test ran to the end', String(e && e.stack || e).split('\n').slice(0, 3).join(' '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
