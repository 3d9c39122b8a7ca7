// The page: controls, plots and window.makemore.run(args), over the worker
// that runs the CLI (web/worker.js). Every command is the CLI's own: the
// buttons build an argument list and call run() like a test or a user would.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const b64bytes = (id) => Uint8Array.from(atob($(id).textContent.trim()), (c) => c.charCodeAt(0));
  const BUILTIN = 'data/names.txt'; // the CLI's default -i
  const SAVE_EVERY = 1000;           // the buttons' checkpoints: what Stop keeps
  const loss4 = (x) => (x == null ? '-' : x.toFixed(4)); // --json writes null for an empty split

  const wasm = b64bytes('wasm-b64');
  const names = b64bytes('names-b64');
  const state = {
    model: null,        // latest model.bin bytes (mirrored from the worker)
    modelDir: 'out',    // where the current model lives in the worker's files
    ownFile: null,      // {path, bytes, lines: Set, distinct: its distinct lines}
    // every non-blank line trains (names.txt repeats some names); the set marks samples seen or new
    builtinItems: new TextDecoder().decode(names).split('\n').map((s) => s.trim()).filter(Boolean),
    builtinLines: null, // the items as a set, to mark samples when the CLI cannot
    losses: [], first: 0, total: 0, partial: '', runs: 0, lrFind: null, emb: null, t0: 0, stepsAtT0: 0, dirty: false,
  };
  // a line as an item of either token mode: trimmed, and as its words joined by one space
  const itemSet = (lines) => new Set(lines.flatMap((s) => [s, s.split(/[ \t\r\v\f]+/).filter(Boolean).join(' ')]));
  state.builtinLines = itemSet(state.builtinItems);
  let worker = null, ready = null, queue = Promise.resolve(), current = null, nextId = 1;

  function startWorker() {
    const src = $('worker-src').textContent;
    worker = new Worker(URL.createObjectURL(new Blob([src], {type: 'text/javascript'})));
    worker.onmessage = onWorker;
    ready = new Promise((resolve) => { state.onReady = resolve; });
    const files = {[BUILTIN]: names.slice().buffer};
    if (state.ownFile) files[state.ownFile.path] = state.ownFile.bytes.slice().buffer;
    if (state.model) files[state.modelDir + '/model.bin'] = state.model.slice().buffer;
    worker.postMessage({type: 'init', wasm: wasm.slice().buffer, files});
  }

  function onWorker(ev) {
    const m = ev.data;
    if (m.type === 'ready') state.onReady();
    else if (m.type === 'events') onEvents(m.text);
    else if (m.type === 'stderr') log(m.text);
    else if (m.type === 'file') { state.model = m.bytes; $('btn-download').disabled = false; }
    else if (m.type === 'done' && current && current.id === m.id) current.finish(m);
    else if (m.type === 'got' && state.gets[m.id]) { state.gets[m.id](m.bytes); delete state.gets[m.id]; }
  }
  state.gets = {};

  // ---- running commands ---------------------------------------------------
  function lastError(stderr) {
    const lines = stderr.split('\n').filter((l) => l.startsWith('makemore: '));
    return lines.length ? lines[lines.length - 1] : stderr.trim().split('\n').pop() || 'makemore: failed';
  }

  // Runs one CLI command (queued: one at a time). Resolves to the --json
  // object when stdout is one, else to {code, stdout, stderr}; rejects with
  // the CLI's one-line message when it exits non-zero.
  function run(args) {
    args = args.map(String);
    const p = queue.then(() => ready).then(() => new Promise((resolve, reject) => {
      const id = nextId++;
      current = {id, finish: (m) => {
        current = null;
        if (m.code !== 0) {
          const e = new Error(lastError(m.stderr));
          e.code = m.code; e.stdout = m.stdout; e.stderr = m.stderr;
          reject(e);
          return;
        }
        const out = m.stdout.trim();
        if (out.startsWith('{')) {
          try { resolve(JSON.parse(out)); return; } catch (e) { /* not JSON after all */ }
        }
        resolve({code: m.code, stdout: m.stdout, stderr: m.stderr});
      }};
      setBusy(true);
      worker.postMessage({type: 'run', id, args});
    }));
    queue = p.catch(() => {}).then(() => setBusy(false));
    return p;
  }

  // A page opened from file:// cannot share memory with its worker, so the
  // running C code cannot be told to stop: Stop ends the worker and starts a
  // new one holding the newest model.bin the run saved (the worker passes
  // each on as it is written), which Resume continues bit for bit.
  function stop() {
    if (!current) return;
    worker.terminate();
    state.partial = '';
    startWorker();
    current.finish({code: 130, stdout: '', stderr: `makemore: stopped near step ${state.step || 0}; ` +
      `${state.modelDir}/model.bin of the last checkpoint is kept (Resume continues from it)\n`});
  }

  function getFile(path) {
    return ready.then(() => new Promise((resolve) => {
      const id = nextId++;
      state.gets[id] = resolve;
      worker.postMessage({type: 'get', id, path});
    }));
  }

  // ---- events from the CLI (MAKEMORE_EVENTS) -------------------------------
  function onEvents(text) {
    const lines = (state.partial + text).split('\n');
    state.partial = lines.pop(); // a line cut between two batches waits for its end
    for (const line of lines) {
      if (!line) continue;
      let e;
      try { e = JSON.parse(line); } catch (err) { continue; }
      if (e.event === 'step') {
        state.losses[e.step - state.first - 1] = Math.log10(e.loss ?? NaN); // null: not finite
        state.step = e.step;
      } else if (e.event === 'start') {
        state.runs++;
        if (e.step === 0 || e.total === 0) { state.losses = []; state.first = e.step; }
        else { state.losses.length = Math.max(0, e.step - state.first); }
        state.total = e.total; state.step = e.step;
        state.t0 = performance.now(); state.stepsAtT0 = e.step;
      } else if (e.event === 'lr_find') {
        state.lrFind = e;
      } else if (e.event === 'embedding') {
        state.emb = e;
      }
    }
    state.dirty = true;
  }

  function frame() {
    if (state.dirty) {
      state.dirty = false;
      drawLoss(); drawLr(); drawEmb(); drawProgress();
    }
    requestAnimationFrame(frame);
  }

  // ---- plots ----------------------------------------------------------------
  function axes(ctx, w, h, xr, yr, xl, yl) {
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#999'; ctx.fillStyle = '#555'; ctx.font = '11px sans-serif';
    ctx.strokeRect(40, 8, w - 48, h - 32);
    ctx.fillText(yr[1].toPrecision(3), 2, 16); ctx.fillText(yr[0].toPrecision(3), 2, h - 26);
    ctx.fillText(xl(xr[0]), 40, h - 12); const xs = xl(xr[1]); ctx.fillText(xs, w - 8 - ctx.measureText(xs).width, h - 12);
    if (yl) ctx.fillText(yl, 44, h - 26);
    return {x: (v) => 40 + (w - 48) * (v - xr[0]) / (xr[1] - xr[0] || 1),
            y: (v) => 8 + (h - 32) * (1 - (v - yr[0]) / (yr[1] - yr[0] || 1))};
  }

  function drawLoss() {
    const cv = $('plot-loss'), ctx = cv.getContext('2d'), L = state.losses, n = L.length;
    if (!n) { ctx.clearRect(0, 0, cv.width, cv.height); return; }
    const win = Math.max(1, Math.round((state.total - state.first || n) / 100));
    const cols = cv.width - 48, per = Math.max(1, Math.ceil(n / cols));
    let lo = Infinity, hi = -Infinity;
    const pts = [], mean = [];
    let sum = 0, cnt = 0;
    for (let i = 0; i < n; i++) {
      const v = L[i];
      if (v === undefined || !isFinite(v)) continue;
      sum += v; cnt++;
      if (i >= win && L[i - win] !== undefined) { sum -= L[i - win]; cnt--; }
      if (i % per === 0 || i === n - 1) { pts.push([i, v]); mean.push([i, sum / cnt]); lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    const end = Math.max(n, state.total - state.first);
    const a = axes(ctx, cv.width, cv.height, [state.first, state.first + end], [lo, hi], (v) => String(Math.round(v)), 'step');
    ctx.fillStyle = 'rgba(51,102,204,0.25)';
    for (const [i, v] of pts) ctx.fillRect(a.x(state.first + i), a.y(v), 1.5, 1.5);
    ctx.strokeStyle = '#c33'; ctx.lineWidth = 1.5; ctx.beginPath();
    mean.forEach(([i, v], k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, a.x(state.first + i), a.y(v)));
    ctx.stroke(); ctx.lineWidth = 1;
  }

  function drawLr() {
    const cv = $('plot-lr'), ctx = cv.getContext('2d'), f = state.lrFind;
    if (!f) { ctx.clearRect(0, 0, cv.width, cv.height); return; }
    const fin = f.loss.filter(Number.isFinite); // null: a loss that was not finite
    const lo = Math.min(...fin), hi = Math.min(Math.max(...fin), lo + 3 * (f.smooth[0] - lo || 1));
    const a = axes(ctx, cv.width, cv.height, [f.lr_exp[0], f.lr_exp[f.lr_exp.length - 1]], [lo, hi],
                   (v) => '10^' + v.toFixed(1), 'loss');
    ctx.fillStyle = 'rgba(51,102,204,0.35)';
    f.loss.forEach((v, i) => Number.isFinite(v) && ctx.fillRect(a.x(f.lr_exp[i]), a.y(Math.min(v, hi)), 1.5, 1.5));
    ctx.strokeStyle = '#c33'; ctx.beginPath();
    f.smooth.forEach((v, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, a.x(f.lr_exp[i]), a.y(Math.min(v ?? hi, hi))));
    ctx.stroke();
    const x = a.x(Math.log10(f.suggested_lr));
    ctx.strokeStyle = '#070'; ctx.beginPath(); ctx.moveTo(x, 8); ctx.lineTo(x, cv.height - 24); ctx.stroke();
    ctx.fillStyle = '#070'; ctx.fillText('lr ' + f.suggested_lr.toPrecision(2), Math.min(x + 3, cv.width - 50), 22);
  }

  function drawEmb() {
    const cv = $('plot-emb'), ctx = cv.getContext('2d'), e = state.emb;
    if (!e) { ctx.clearRect(0, 0, cv.width, cv.height); return; }
    const pad = (lo, hi) => [lo - 0.08 * (hi - lo || 1), hi + 0.08 * (hi - lo || 1)];
    const a = axes(ctx, cv.width, cv.height, pad(Math.min(...e.x), Math.max(...e.x)),
                   pad(Math.min(...e.y), Math.max(...e.y)), (v) => v.toFixed(2), 'step ' + e.step);
    ctx.font = '12px monospace';
    // a character inside its dot; a word (a word model sends its likeliest few hundred) beside a small
    // one, the first 40 labelled
    const words = e.chars.some((c) => [...c].length > 1);
    e.chars.forEach((c, i) => {
      const x = a.x(e.x[i]), y = a.y(e.y[i]);
      ctx.fillStyle = '#36c'; ctx.beginPath(); ctx.arc(x, y, words ? 2.5 : 8, 0, 2 * Math.PI); ctx.fill();
      if (!words) { ctx.fillStyle = '#fff'; ctx.fillText(c, x - 3.5, y + 4); }
      else if (i < 40) { ctx.fillStyle = '#333'; ctx.fillText(c, x + 4, y + 4); }
    });
  }

  function drawProgress() {
    const done = (state.step || 0) - state.stepsAtT0, total = state.total;
    if (!total) return;
    const secs = (performance.now() - state.t0) / 1000, rate = done / (secs || 1e-9);
    const left = rate > 0 ? (total - state.step) / rate : 0;
    $('bar').firstElementChild.style.width = (100 * state.step / total).toFixed(1) + '%';
    $('status').textContent = `step ${state.step} / ${total}   ${Math.round(rate)} steps/s   ETA ${Math.round(left)} s`;
  }

  // ---- controls -------------------------------------------------------------
  function log(text) {
    const el = $('log');
    el.textContent = (el.textContent + text).slice(-20000);
    el.scrollTop = el.scrollHeight;
  }
  function showError(msg) { $('error').textContent = msg || ''; }
  function setBusy(busy) {
    for (const id of ['btn-lr', 'btn-train', 'btn-resume', 'btn-sample']) $(id).disabled = busy;
    $('btn-stop').disabled = !busy;
  }
  function dataPath() {
    return document.querySelector('input[name=data]:checked').value === 'own' && state.ownFile
      ? state.ownFile.path : BUILTIN;
  }
  function dataLines() {
    return dataPath() === BUILTIN ? state.builtinLines : state.ownFile.lines;
  }
  const KNOBS = ['model', 'block-size', 'n-embd', 'n-hidden', 'max-steps', 'batch-size', 'learning-rate',
                 'lr-schedule', 'optimizer', 'seed', 'tokens', 'min-count'];
  function knobArgs(only) {
    const args = [];
    for (const k of only || KNOBS) {
      const v = $(k).value.trim();
      if (v !== '') args.push('--' + k, v);
    }
    return args;
  }

  async function guarded(fn) {
    showError('');
    try { return await fn(); } catch (e) { showError(e.message); return null; }
  }

  // items [{text, split}] as the CLI's --json marks them: train, dev, test
  // or new; split is null when the CLI could not read the data (an uploaded
  // model's), and then the page's own lines decide
  function showSamples(items) {
    const ul = $('samples'), seen = dataLines();
    ul.textContent = '';
    let nnew = 0;
    for (const {text, split} of items) {
      const li = document.createElement('li');
      const where = split ?? (seen.has(text) ? 'seen' : 'new');
      nnew += where === 'new';
      li.className = where === 'new' ? 'new' : 'seen';
      li.dataset.split = where;
      li.dataset.text = text;
      li.textContent = text + (where === 'new' ? '' : `  (${where})`);
      ul.appendChild(li);
    }
    $('result').dataset.newSamples = String(nnew);
  }

  function showResult(r) {
    $('result').textContent = `step ${r.steps}: train loss ${loss4(r.train_loss)}, dev loss ` +
      `${loss4(r.dev_loss)} (${r.params} parameters, ${r.us_per_step.toFixed(1)} us/step in this page)`;
    if (r.samples) showSamples(r.samples);
  }

  async function train(resume) {
    if (!resume) { state.modelDir = 'out'; state.lrFind = null; state.emb = null; }
    const args = ['train', '-o', state.modelDir, '--json', '--save-every', String(SAVE_EVERY)];
    if (resume) args.push('--resume', ...knobArgs(['max-steps']));
    else args.push('-i', dataPath(), '--force', ...knobArgs()); // Train starts afresh, replacing the model
    try {
      showError('');
      const r = await run(args);
      showResult(r);
      modelChanged();
    } catch (e) {
      showError(e.message);
      if (e.code === 130) $('status').textContent = `stopped at step ${state.step}: Resume continues from the checkpoint`;
    }
  }

  async function sample() {
    const args = ['sample', '-o', state.modelDir, '-n', '20', '--json'];
    const t = $('temperature').value.trim();
    if (t) args.push('--temperature', t);
    if ($('seed').value.trim()) args.push('--seed', $('seed').value.trim());
    const r = await guarded(() => run(args));
    if (r) showSamples(r.samples);
  }

  // ---- the next token: bars for a typed prefix (web/nextprobs.js) -----------
  // Each keystroke runs one `probs` (after a running command); a reply to an
  // older prefix that arrives late is dropped.
  let next = null, asked = 0;
  function modelChanged() {
    next = MakemoreNext.ranker(run, state.modelDir);
    showNext();
  }
  async function showNext() {
    if (!next) return;
    const prefix = $('prefix').value, mine = ++asked;
    try {
      const probs = await next.ranked(prefix);
      if (mine !== asked) return;
      $('next-bars').replaceChildren(...MakemoreNext.rows(probs, next.words));
      $('next-status').textContent = MakemoreNext.status(prefix, probs, next.words);
    } catch (e) {
      if (mine !== asked) return;
      $('next-bars').replaceChildren();
      $('next-status').textContent = e.message;
    }
  }

  async function lrSweep() {
    state.lrFind = null;
    await guarded(() => run(['lr-find', '-i', dataPath(), '-o', 'sweep',
                             ...knobArgs(['block-size', 'n-embd', 'n-hidden', 'batch-size', 'seed'])]));
    state.dirty = true;
  }

  function useOwnFile(file) {
    file.arrayBuffer().then((buf) => {
      const bytes = new Uint8Array(buf);
      const path = 'data/user/' + file.name.replace(/[^A-Za-z0-9._-]/g, '_');
      const items = new TextDecoder().decode(bytes).split('\n').map((s) => s.replace(/\r$/, '').trim()).filter(Boolean);
      const lines = itemSet(items);
      state.ownFile = {path, bytes, lines, distinct: new Set(items).size};
      worker.postMessage({type: 'put', path, bytes: bytes.slice().buffer});
      $('own-name').textContent = `${file.name} (${state.ownFile.distinct} distinct lines)`;
      $('data-own').disabled = false;
      $('data-own').checked = true;
    });
  }

  async function upload(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    worker.postMessage({type: 'put', path: 'upload/model.bin', bytes: bytes.slice().buffer});
    showError('');
    try {
      const r = await run(['eval', '-o', 'upload', '-i', dataPath(), '--json']);
      state.modelDir = 'upload';
      state.model = bytes;
      $('btn-download').disabled = false;
      $('result').textContent = `uploaded ${file.name}: step ${r.step}, train loss ${loss4(r.train_loss)}, dev loss ${loss4(r.dev_loss)}`;
      modelChanged();
      await sample();
    } catch (e) {
      showError(e.message);
    }
  }

  function download() {
    getFile(state.modelDir + '/model.bin').then((bytes) => {
      const url = URL.createObjectURL(new Blob([bytes || state.model], {type: 'application/octet-stream'}));
      const a = document.createElement('a');
      a.href = url; a.download = 'model.bin';
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }

  $('btn-train').onclick = () => train(false);
  $('btn-resume').onclick = () => train(true);
  $('btn-stop').onclick = stop;
  $('btn-sample').onclick = sample;
  $('btn-lr').onclick = lrSweep;
  $('btn-download').onclick = download;
  $('file').onchange = (e) => e.target.files[0] && useOwnFile(e.target.files[0]);
  $('upload').onchange = (e) => e.target.files[0] && upload(e.target.files[0]);
  $('prefix').addEventListener('input', showNext);
  const drop = $('drop');
  drop.ondragover = (e) => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault(); drop.classList.remove('over');
    if (e.dataTransfer.files[0]) useOwnFile(e.dataTransfer.files[0]);
  };
  $('builtin-lines').textContent = state.builtinItems.length.toLocaleString('en');
  $('builtin-count').textContent = state.builtinLines.size.toLocaleString('en');

  // the model kinds and the optimizers from the CLI's registries (train
  // --model list, --optimizer list), so the page offers what the C code has
  function listChoices(flag, id) {
    return run(['train', '--' + flag, 'list']).then((r) => {
      const sel = $(id);
      sel.textContent = '';
      r.stdout.split('\n').filter(Boolean).forEach((line, i) => {
        const [, name, summary] = /^(\S+)\s+(.*)$/.exec(line) || [];
        if (!name) return;
        const o = document.createElement('option');
        o.value = i === 0 ? '' : name; // the first is the CLI's default
        o.textContent = name + (i === 0 ? ' (default)' : '');
        o.title = summary;
        sel.appendChild(o);
      });
    }, (e) => showError(e.message));
  }

  startWorker();
  ready.then(() => { $('status').textContent = 'ready'; });
  listChoices('model', 'model').then(() => listChoices('optimizer', 'optimizer'));
  requestAnimationFrame(frame);
  setBusy(false);

  window.makemore = {
    run,
    stop,
    ready: () => ready,
    // for tests: what the plots hold
    state: () => ({runs: state.runs, steps: state.losses.filter((v) => v !== undefined).length, lrFind: !!state.lrFind,
                   embedding: state.emb ? state.emb.step : null, samples: $('samples').children.length}),
  };
}());
