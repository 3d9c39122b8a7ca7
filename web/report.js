// report.html's interactive panel (web/README.md). Each question is one
// command of makemore's CLI compiled to WebAssembly (the module of make
// web, inlined with wasi.js) over an in-memory folder m/ that holds this
// report's model.bin: `probs` for the bars, `sample` for the samples, so
// the numbers are the C forward pass's, the same as on the command line.
// Runs on the main thread: one command is a fresh instance and one pass
// over a small model, short enough not to hold up typing.
// window.makemore, for tests: ready(), nextProbs(prefix) -> {char: prob},
// sample({n, temperature, seed, prefix}) -> [text].
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const bytes = (id) => Uint8Array.from(atob($(id).textContent.trim()), (c) => c.charCodeAt(0));
  const fs = new MakemoreWasi.MakemoreFS();
  const N_SAMPLES = 20;
  let module = null;

  // One CLI command: its stdout, or an Error carrying the CLI's message.
  function run(args) {
    const r = MakemoreWasi.runMakemore(module, fs, args);
    if (r.code !== 0) {
      const lines = r.stderr.trim().split('\n');
      throw new Error(lines[lines.length - 1] || `makemore exited with status ${r.code}`);
    }
    return r.stdout;
  }

  const ready = WebAssembly.compile(bytes('mm-wasm')).then((m) => {
    module = m;
    fs.writeFile('m/model.bin', bytes('mm-model'));
  });

  // [{char, prob}], likeliest first, as `makemore probs --json` gives them
  async function ranked(prefix) {
    await ready;
    // (the CLI refuses an empty --prefix: the default is the empty one)
    return JSON.parse(run(['probs', '-o', 'm', '--json', ...(prefix ? ['--prefix=' + prefix] : [])])).probs;
  }

  async function nextProbs(prefix) {
    const out = {};
    for (const {char, prob} of await ranked(String(prefix))) out[char] = prob;
    return out;
  }

  async function sample({n = N_SAMPLES, temperature = 1, seed = 1, prefix = ''} = {}) {
    await ready;
    const args = ['sample', '-o', 'm', '-n', String(n), '--temperature', String(temperature),
                  '--seed', String(seed), '--json'];
    if (prefix) args.push('--prefix=' + prefix);
    return JSON.parse(run(args)).samples.map((s) => s.text);
  }

  function drawBars(probs) {
    const top = probs.length ? probs[0].prob : 1;
    const rows = probs.map(({char, prob}) => {
      const row = document.createElement('div');
      row.className = 'mm-row';
      row.dataset.char = char;
      row.dataset.prob = String(prob);
      row.title = `${char === '.' ? 'end of the item' : char}: ${prob}`;
      const ch = document.createElement('span');
      ch.className = 'mm-ch';
      ch.textContent = char;
      const track = document.createElement('span');
      track.className = 'mm-track';
      const bar = document.createElement('div');
      bar.className = 'mm-bar';
      bar.style.width = `${top > 0 ? (100 * prob) / top : 0}%`;
      track.append(bar);
      const p = document.createElement('span');
      p.className = 'mm-p';
      p.textContent = `${(100 * prob).toFixed(2)}%`;
      row.append(ch, track, p);
      return row;
    });
    $('mm-bars').replaceChildren(...rows);
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
      $('mm-status').textContent = `after "${prefix}": ${probs.length} characters, likeliest first`;
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
