// A small WASI (preview1) host for the makemore CLI compiled to wasm32-wasi:
// an in-memory file system with one preopened folder ("/"), stdout, stderr
// and sinks, the clocks, and exit. Used by the page's worker and usable on
// the main thread too (makemoreWasi.run is synchronous), e.g. by a report
// page that embeds the same module. No network, no other host access.
/* exported MakemoreWasi */
'use strict';

const E = {SUCCESS: 0, BADF: 8, EXIST: 20, INVAL: 28, ISDIR: 31, NOENT: 44, NOSYS: 52,
           NOTDIR: 54, NOTEMPTY: 55};
const FILETYPE = {CHAR: 2, DIR: 3, FILE: 4};
const ALL_RIGHTS = 0xffffffffffffffffn;

class ExitStatus {
  constructor(code) { this.code = code; }
}

function normPath(base, path) {
  const parts = base ? base.split('/') : [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop(); else parts.push(p);
  }
  return parts.join('/');
}

class MakemoreFS {
  constructor() {
    this.files = new Map(); // key ("out/model.bin") -> {data: Uint8Array, size}
    this.dirs = new Set(['']);
  }
  parent(key) { const i = key.lastIndexOf('/'); return i < 0 ? '' : key.slice(0, i); }
  writeFile(key, bytes) {
    key = normPath('', key);
    const dir = this.parent(key);
    let d = '';
    for (const p of dir ? dir.split('/') : []) { d = d ? d + '/' + p : p; this.dirs.add(d); }
    const data = new Uint8Array(bytes);
    this.files.set(key, {data, size: data.length});
  }
  readFile(key) {
    const f = this.files.get(normPath('', key));
    return f ? f.data.slice(0, f.size) : null;
  }
  list(dir) {
    const pre = dir ? dir + '/' : '';
    const names = new Set();
    for (const k of [...this.files.keys(), ...this.dirs]) {
      if (k !== dir && k.startsWith(pre)) names.add(k.slice(pre.length).split('/')[0]);
    }
    return [...names].sort();
  }
}

// One run of the CLI: instantiate the compiled module afresh (its C globals
// start clean), call _start, collect stdout and stderr.
// opts: {env, sinks: {path: fn(Uint8Array)}, onStderr(text), onFile(key)}
function runMakemore(module, fs, args, opts = {}) {
  const dec = new TextDecoder(), enc = new TextEncoder();
  let mem = null, inst = null;
  const out = [], err = [];
  const env = Object.entries(opts.env || {}).map(([k, v]) => `${k}=${v}`);
  const sinks = opts.sinks || {};
  const fds = new Map();
  fds.set(0, {kind: 'null'});
  fds.set(1, {kind: 'sink', write: b => out.push(b.slice())});
  fds.set(2, {kind: 'sink', write: b => { err.push(b.slice()); if (opts.onStderr) opts.onStderr(dec.decode(b)); }});
  fds.set(3, {kind: 'dir', key: '', preopen: '/'});
  let nextFd = 4;
  // one view until the memory grows (which replaces mem.buffer)
  let view = null;
  const dv = () => (view && view.buffer === mem.buffer ? view : (view = new DataView(mem.buffer)));
  const u8 = () => new Uint8Array(mem.buffer);
  const str = (ptr, len) => dec.decode(u8().slice(ptr, ptr + len));
  const dirKey = (fd) => { const f = fds.get(fd); return f && f.kind === 'dir' ? f.key : null; };
  const resolve = (fd, ptr, len) => {
    const base = dirKey(fd);
    return base === null ? null : normPath(base, str(ptr, len));
  };
  const putStrings = (list, ptrs, buf) => {
    const d = dv(), m = u8();
    for (const s of list) {
      const b = enc.encode(s + '\0');
      d.setUint32(ptrs, buf, true); ptrs += 4;
      m.set(b, buf); buf += b.length;
    }
    return E.SUCCESS;
  };
  const sizes = (list, cptr, sptr) => {
    const d = dv();
    d.setUint32(cptr, list.length, true);
    d.setUint32(sptr, list.reduce((n, s) => n + enc.encode(s).length + 1, 0), true);
    return E.SUCCESS;
  };
  const iovecs = (iovs, n) => {
    const d = dv(), r = [];
    for (let i = 0; i < n; i++) r.push([d.getUint32(iovs + 8 * i, true), d.getUint32(iovs + 8 * i + 4, true)]);
    return r;
  };
  const fileWrite = (f, bytes) => {
    const node = f.node;
    if (f.append) f.pos = node.size;
    const end = f.pos + bytes.length;
    if (end > node.data.length) {
      const grown = new Uint8Array(Math.max(end, node.data.length * 2, 1024));
      grown.set(node.data.subarray(0, node.size));
      node.data = grown;
    }
    node.data.set(bytes, f.pos);
    f.pos = end;
    node.size = Math.max(node.size, end);
  };
  const statInto = (ptr, type, size) => {
    const d = dv();
    for (let i = 0; i < 64; i += 8) d.setBigUint64(ptr + i, 0n, true);
    d.setUint8(ptr + 16, type);
    d.setBigUint64(ptr + 24, 1n, true);
    d.setBigUint64(ptr + 32, BigInt(size), true);
    return E.SUCCESS;
  };
  const wasi = {
    args_sizes_get: (c, s) => sizes(['makemore', ...args], c, s),
    args_get: (p, b) => putStrings(['makemore', ...args], p, b),
    environ_sizes_get: (c, s) => sizes(env, c, s),
    environ_get: (p, b) => putStrings(env, p, b),
    clock_res_get: (id, ptr) => { dv().setBigUint64(ptr, 1000n, true); return E.SUCCESS; },
    clock_time_get: (id, prec, ptr) => {
      if (id === 0) {
        dv().setBigUint64(ptr, BigInt(Date.now()) * 1000000n, true);
        return E.SUCCESS;
      }
      // the monotonic clock, read in the training loop: a Number of ns
      // (exact to 2^53 ns, 104 days) in two halves, without a BigInt a call
      const ns = Math.round(performance.now() * 1e6), d = dv();
      d.setUint32(ptr, ns % 4294967296, true);
      d.setUint32(ptr + 4, Math.floor(ns / 4294967296), true);
      return E.SUCCESS;
    },
    fd_write: (fd, iovs, n, nw) => {
      const f = fds.get(fd);
      if (!f || f.kind === 'dir' || f.kind === 'null') return E.BADF;
      let total = 0;
      for (const [p, l] of iovecs(iovs, n)) {
        const bytes = u8().subarray(p, p + l);
        if (f.kind === 'sink') f.write(bytes); else fileWrite(f, bytes);
        total += l;
      }
      dv().setUint32(nw, total, true);
      return E.SUCCESS;
    },
    fd_read: (fd, iovs, n, nr) => {
      const f = fds.get(fd);
      if (!f) return E.BADF;
      let total = 0;
      if (f.kind === 'file') {
        for (const [p, l] of iovecs(iovs, n)) {
          const k = Math.max(0, Math.min(l, f.node.size - f.pos));
          u8().set(f.node.data.subarray(f.pos, f.pos + k), p);
          f.pos += k; total += k;
          if (k < l) break;
        }
      }
      dv().setUint32(nr, total, true);
      return E.SUCCESS;
    },
    fd_seek: (fd, off, whence, ptr) => {
      const f = fds.get(fd);
      if (!f || f.kind !== 'file') return f ? E.INVAL : E.BADF;
      const base = whence === 0 ? 0 : whence === 1 ? f.pos : f.node.size;
      const pos = base + Number(off);
      if (pos < 0) return E.INVAL;
      f.pos = pos;
      dv().setBigUint64(ptr, BigInt(pos), true);
      return E.SUCCESS;
    },
    fd_tell: (fd, ptr) => wasi.fd_seek(fd, 0n, 1, ptr),
    fd_close: (fd) => (fds.delete(fd) ? E.SUCCESS : E.BADF),
    fd_sync: () => E.SUCCESS,
    fd_datasync: () => E.SUCCESS,
    fd_fdstat_get: (fd, ptr) => {
      const f = fds.get(fd);
      if (!f) return E.BADF;
      const d = dv();
      d.setUint8(ptr, f.kind === 'dir' ? FILETYPE.DIR : f.kind === 'file' ? FILETYPE.FILE : FILETYPE.CHAR);
      d.setUint16(ptr + 2, f.append ? 1 : 0, true);
      // seek rights on every fd: wasi-libc's isatty then says no, so the CLI
      // prints plain progress lines instead of redrawing one
      d.setBigUint64(ptr + 8, ALL_RIGHTS, true);
      d.setBigUint64(ptr + 16, ALL_RIGHTS, true);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: () => E.SUCCESS,
    fd_filestat_get: (fd, ptr) => {
      const f = fds.get(fd);
      if (!f) return E.BADF;
      return statInto(ptr, f.kind === 'dir' ? FILETYPE.DIR : f.kind === 'file' ? FILETYPE.FILE : FILETYPE.CHAR,
                      f.kind === 'file' ? f.node.size : 0);
    },
    fd_filestat_set_size: (fd, size) => {
      const f = fds.get(fd);
      if (!f || f.kind !== 'file') return E.BADF;
      f.node.size = Math.min(Number(size), f.node.size);
      return E.SUCCESS;
    },
    fd_prestat_get: (fd, ptr) => {
      const f = fds.get(fd);
      if (!f || !f.preopen) return E.BADF;
      dv().setUint8(ptr, 0);
      dv().setUint32(ptr + 4, f.preopen.length, true);
      return E.SUCCESS;
    },
    fd_prestat_dir_name: (fd, ptr, len) => {
      const f = fds.get(fd);
      if (!f || !f.preopen) return E.BADF;
      u8().set(enc.encode(f.preopen).subarray(0, len), ptr);
      return E.SUCCESS;
    },
    fd_readdir: (fd, buf, len, cookie, used) => {
      const key = dirKey(fd);
      if (key === null) return E.NOTDIR;
      const names = ['.', '..', ...fs.list(key)];
      let off = 0;
      for (let i = Number(cookie); i < names.length && off < len; i++) {
        const name = enc.encode(names[i]);
        const full = normPath(key, names[i]);
        const ent = new Uint8Array(24 + name.length);
        const d = new DataView(ent.buffer);
        d.setBigUint64(0, BigInt(i + 1), true);
        d.setBigUint64(8, BigInt(i + 1), true);
        d.setUint32(16, name.length, true);
        d.setUint8(20, fs.dirs.has(full) ? FILETYPE.DIR : FILETYPE.FILE);
        ent.set(name, 24);
        const k = Math.min(ent.length, len - off);
        u8().set(ent.subarray(0, k), buf + off);
        off += k;
      }
      dv().setUint32(used, off, true);
      return E.SUCCESS;
    },
    path_open: (dirfd, dirflags, p, l, oflags, rb, ri, fdflags, ptr) => {
      const key = resolve(dirfd, p, l);
      if (key === null) return E.BADF;
      if (fs.dirs.has(key)) {
        if (oflags & 1 && oflags & 4) return E.EXIST;
        fds.set(nextFd, {kind: 'dir', key});
      } else {
        if (oflags & 2) return fs.files.has(key) ? E.NOTDIR : E.NOENT;
        if (!fs.dirs.has(fs.parent(key))) return E.NOENT;
        if (sinks[key]) {
          fds.set(nextFd, {kind: 'sink', write: sinks[key]});
        } else {
          let node = fs.files.get(key);
          if (node && oflags & 1 && oflags & 4) return E.EXIST;
          if (!node) {
            if (!(oflags & 1)) return E.NOENT;
            node = {data: new Uint8Array(0), size: 0};
            fs.files.set(key, node);
          }
          if (oflags & 8) node.size = 0;
          fds.set(nextFd, {kind: 'file', node, key, pos: 0, append: (fdflags & 1) !== 0});
        }
      }
      dv().setUint32(ptr, nextFd++, true);
      return E.SUCCESS;
    },
    path_filestat_get: (fd, flags, p, l, ptr) => {
      const key = resolve(fd, p, l);
      if (key === null) return E.BADF;
      if (fs.dirs.has(key)) return statInto(ptr, FILETYPE.DIR, 0);
      const node = fs.files.get(key);
      if (node) return statInto(ptr, FILETYPE.FILE, node.size);
      return sinks[key] ? statInto(ptr, FILETYPE.CHAR, 0) : E.NOENT;
    },
    path_create_directory: (fd, p, l) => {
      const key = resolve(fd, p, l);
      if (key === null) return E.BADF;
      if (fs.dirs.has(key) || fs.files.has(key)) return E.EXIST;
      if (!fs.dirs.has(fs.parent(key))) return E.NOENT;
      fs.dirs.add(key);
      return E.SUCCESS;
    },
    path_rename: (fd, p, l, fd2, p2, l2) => {
      const from = resolve(fd, p, l), to = resolve(fd2, p2, l2);
      if (from === null || to === null) return E.BADF;
      const node = fs.files.get(from);
      if (!node) return fs.dirs.has(from) ? E.NOSYS : E.NOENT;
      if (fs.dirs.has(to)) return E.ISDIR;
      if (!fs.dirs.has(fs.parent(to))) return E.NOENT;
      fs.files.delete(from);
      fs.files.set(to, node);
      if (opts.onFile) opts.onFile(to);
      return E.SUCCESS;
    },
    path_unlink_file: (fd, p, l) => {
      const key = resolve(fd, p, l);
      if (key === null) return E.BADF;
      if (fs.dirs.has(key)) return E.ISDIR;
      return fs.files.delete(key) ? E.SUCCESS : E.NOENT;
    },
    path_remove_directory: (fd, p, l) => {
      const key = resolve(fd, p, l);
      if (!fs.dirs.has(key)) return E.NOENT;
      if (fs.list(key).length) return E.NOTEMPTY;
      fs.dirs.delete(key);
      return E.SUCCESS;
    },
    random_get: (ptr, len) => { crypto.getRandomValues(u8().subarray(ptr, ptr + len)); return E.SUCCESS; },
    sched_yield: () => E.SUCCESS,
    proc_exit: (code) => { throw new ExitStatus(code); },
  };
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') continue;
    imports[imp.module] = imports[imp.module] || {};
    imports[imp.module][imp.name] = wasi[imp.name] || (() => E.NOSYS);
  }
  inst = new WebAssembly.Instance(module, imports);
  mem = inst.exports.memory;
  let code = 0;
  try {
    inst.exports._start();
  } catch (e) {
    if (!(e instanceof ExitStatus)) {
      // a trap (out of memory, a bug): a one-line message like the CLI's
      const msg = `makemore: ${e instanceof RangeError || /memory/i.test(String(e)) ? 'out of memory' : 'crashed'}: ${e.message || e}\n`;
      err.push(enc.encode(msg));
      if (opts.onStderr) opts.onStderr(msg);
      code = 70;
    } else {
      code = e.code;
    }
  }
  const join = (chunks) => dec.decode(chunks.reduce((a, b) => { const c = new Uint8Array(a.length + b.length); c.set(a); c.set(b, a.length); return c; }, new Uint8Array(0)));
  return {code, stdout: join(out), stderr: join(err)};
}

const MakemoreWasi = {MakemoreFS, runMakemore, normPath};
if (typeof self !== 'undefined') self.MakemoreWasi = MakemoreWasi;
