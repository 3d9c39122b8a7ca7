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
  // past the first checkpoint (the buttons save every 1000 steps)
  await page.waitForFunction((n) => window.makemore.state().runs > n && window.makemore.state().steps >= 1500,
                             {timeout: 60000}, runs);
  await page.click('#btn-stop');
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
  let nsamples = await page.$$eval('#samples li', (li) => li.length);
  check(nsamples === 20, 'the run\'s 20 samples are listed', String(nsamples));
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

  const net = requests.filter((u) => !/^(file|data|blob):/.test(u));
  check(net.length === 0, 'no network request was made', net.slice(0, 3).join(' '));
  check(errors.length === 0, 'no page errors', errors.slice(0, 3).join(' | '));
} catch (e) {
  check(false, 'the browser test ran to the end', String(e && e.stack || e).split('\n').slice(0, 3).join(' '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
