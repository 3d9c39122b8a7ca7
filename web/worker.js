// The page's Web Worker: runs the CLI (web/wasi.js) off the page's thread.
// Messages in:  {type: 'init', wasm: ArrayBuffer, files: {path: ArrayBuffer}}
//               {type: 'run', id, args}   one command
//               {type: 'put', path, bytes} / {type: 'get', id, path}
// Messages out: {type: 'events', text}   MAKEMORE_EVENTS lines, batched
//               {type: 'stderr', text}   the CLI's progress and messages
//               {type: 'file', path, bytes}  a file just completed by rename
//               {type: 'done', id, code, stdout, stderr} / {type: 'got', id, bytes}
/* global MakemoreWasi */
'use strict';

const EVENTS = 'events.jsonl';
const fs = new MakemoreWasi.MakemoreFS();
let module = null;

function run(msg) {
  const dec = new TextDecoder();
  let pending = '', lastPost = 0;
  const flush = (force) => {
    const now = performance.now();
    if (pending && (force || now - lastPost > 50)) {
      self.postMessage({type: 'events', text: pending});
      pending = '';
      lastPost = now;
    }
  };
  const r = MakemoreWasi.runMakemore(module, fs, msg.args, {
    env: {MAKEMORE_EVENTS: EVENTS},
    sinks: {[EVENTS]: (b) => { pending += dec.decode(b, {stream: true}); flush(false); }},
    onStderr: (text) => self.postMessage({type: 'stderr', text}),
    onFile: (path) => {
      if (/(^|\/)model\.bin$/.test(path)) {
        const bytes = fs.readFile(path);
        self.postMessage({type: 'file', path, bytes}, [bytes.buffer]);
      }
    },
  });
  flush(true);
  self.postMessage({type: 'done', id: msg.id, code: r.code, stdout: r.stdout, stderr: r.stderr});
}

self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'init') {
    module = new WebAssembly.Module(msg.wasm);
    for (const [path, bytes] of Object.entries(msg.files || {})) fs.writeFile(path, bytes);
    self.postMessage({type: 'ready'});
  } else if (msg.type === 'run') {
    run(msg);
  } else if (msg.type === 'put') {
    fs.writeFile(msg.path, msg.bytes);
  } else if (msg.type === 'get') {
    const bytes = fs.readFile(msg.path);
    self.postMessage({type: 'got', id: msg.id, bytes});
  }
};
