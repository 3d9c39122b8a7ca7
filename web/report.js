// report.html's interactive panel (web/README.md). Each question is one
// command of makemore's CLI compiled to WebAssembly (the module of make
// web) over an in-memory folder m/ that holds this report's model.bin:
// `probs` for the bars, `sample` for the samples, so the numbers are the C
// forward pass's, the same as on the command line. The commands run in
// the web page's worker (worker.js, inlined with wasi.js), one at a time,
// so a big model's samples never hold up typing.
// window.makemore, for tests: ready(), nextProbs(prefix) -> {char: prob},
// sample({n, temperature, seed, prefix}) -> [text].
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const bytes = (id) => Uint8Array.from(atob($(id).textContent.trim()), (c) => c.charCodeAt(0));
  const N_SAMPLES = 20;
  const worker = new Worker(URL.createObjectURL(new Blob([$('mm-worker-src').textContent],
                                                         {type: 'text/javascript'})));
  const waiting = new Map(); // id -> {resolve, reject}
  let nextId = 0;

  const ready = new Promise((resolve, reject) => {
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === 'ready') resolve();
      if (m.type !== 'done' || !waiting.has(m.id)) return;
      const {resolve: ok, reject: fail} = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.code === 0) return ok(m.stdout);
      const lines = m.stderr.trim().split('\n');
      fail(new Error(lines[lines.length - 1] || `makemore exited with status ${m.code}`));
    };
    worker.onerror = (e) => { e.preventDefault(); reject(new Error(e.message || 'the worker failed')); };
  });
  const wasm = bytes('mm-wasm'), model = bytes('mm-model');
  worker.postMessage({type: 'init', wasm: wasm.buffer, files: {'m/model.bin': model.buffer}},
                     [wasm.buffer, model.buffer]);

  // One CLI command: its stdout, or an Error carrying the CLI's message.
  async function run(args) {
    await ready;
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      waiting.set(id, {resolve, reject});
      worker.postMessage({type: 'run', id, args});
    });
  }

  // [{char, prob}], likeliest first (web/nextprobs.js)
  const next = MakemoreNext.ranker(run, 'm');
  const ranked = next.ranked;

  async function nextProbs(prefix) {
    const out = {};
    for (const {char, prob} of await ranked(String(prefix))) out[char] = prob;
    return out;
  }

  async function sample({n = N_SAMPLES, temperature = 1, seed = 1, prefix = ''} = {}) {
    const args = ['sample', '-o', 'm', '-n', String(n), '--temperature', String(temperature),
                  '--seed', String(seed), '--json'];
    if (prefix) args.push('--prefix=' + prefix);
    return JSON.parse(await run(args)).samples.map((s) => s.text);
  }

  function drawBars(probs) {
    $('mm-bars').replaceChildren(...MakemoreNext.rows(probs, next.words));
  }

  // Typing runs one `probs` per keystroke; a reply to an older prefix that
  // arrives late is dropped.
  let asked = 0;
  async function showProbs() {
    const prefix = $('mm-prefix').value, mine = ++asked;
    try {
      const probs = await ranked(prefix);
      if (mine !== asked) return;
      $('mm-error').textContent = '';
      drawBars(probs);
      $('mm-status').textContent = MakemoreNext.status(prefix, probs, next.words);
    } catch (e) {
      if (mine !== asked) return;
      $('mm-error').textContent = e.message;
      $('mm-bars').replaceChildren();
      $('mm-status').textContent = '';
    }
  }

  async function draw() {
    const temperature = Number($('mm-temp').value), seed = Number($('mm-seed').value) || 0;
    const prefix = $('mm-from-prefix').checked ? $('mm-prefix').value : '';
    try {
      const items = await sample({temperature, seed, prefix});
      $('mm-error').textContent = '';
      $('mm-samples').replaceChildren(...items.map((t) => {
        const li = document.createElement('li');
        li.textContent = t;
        return li;
      }));
      $('mm-sample-info').textContent = `${items.length} samples, temperature ${temperature.toFixed(2)}, seed ${seed}` +
        (prefix ? `, starting with "${prefix}"` : '');
      $('mm-sample-info').dataset.seed = String(seed);
      $('mm-sample-info').dataset.temperature = String(temperature);
      $('mm-seed').value = String(seed + 1); // the next press draws new ones
    } catch (e) {
      $('mm-error').textContent = e.message;
    }
  }

  const showTemp = () => { $('mm-temp-value').textContent = Number($('mm-temp').value).toFixed(2); };
  $('mm-prefix').addEventListener('input', showProbs);
  $('mm-temp').addEventListener('input', showTemp);
  $('mm-draw').addEventListener('click', draw);
  showTemp();
  ready.then(() => {
    $('mm-draw').disabled = false;
    return showProbs();
  }, (e) => {
    $('mm-status').textContent = '';
    $('mm-error').textContent = `the WebAssembly module did not load: ${e.message}`;
  });

  window.makemore = {ready: () => ready, nextProbs, sample};
})();
