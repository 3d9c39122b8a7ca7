// The next-token bars of the page (app.js) and of report.html's panel
// (report.js): `makemore probs --json` for a prefix, likeliest first, drawn
// as one row per token (classes mm-row, mm-ch, mm-track, mm-bar, mm-p; the
// row's data-char and data-prob hold the token and its probability).
// A word model names a "word" rather than a "char": its vocabulary runs to
// thousands, so only the TOP_WORDS likeliest are asked for and drawn.
'use strict';
const MakemoreNext = (() => {
  const TOP_WORDS = 20;

  // One model's ranker: ranked(prefix) -> [{char, prob}]; words is null
  // until the first answer tells. ask(args) runs one CLI command and
  // resolves to its stdout, or to the --json object already parsed.
  function ranker(ask, dir) {
    const r = {words: null};
    r.ranked = async (prefix) => {
      // (the CLI refuses an empty --prefix: the default is the empty one)
      const args = ['probs', '-o', dir, '--json', ...(prefix ? ['--prefix=' + prefix] : [])];
      if (r.words) args.push('--top', String(TOP_WORDS));
      const out = await ask(args);
      const probs = (typeof out === 'string' ? JSON.parse(out) : out).probs;
      if (r.words === null && probs.length) r.words = 'word' in probs[0];
      return (r.words ? probs.slice(0, TOP_WORDS) : probs).map((p) => (r.words ? {char: p.word, prob: p.prob} : p));
    };
    return r;
  }

  function rows(probs, words) {
    const top = probs.length ? probs[0].prob : 1;
    return probs.map(({char, prob}) => {
      const row = document.createElement('div');
      row.className = 'mm-row';
      row.dataset.char = char;
      row.dataset.prob = String(prob);
      row.title = `${char === (words ? '</s>' : '.') ? 'end of the item' : char}: ${prob}`;
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
  }

  function status(prefix, probs, words) {
    return `after "${prefix}": ${words ? `the ${probs.length} likeliest words` : `${probs.length} characters`}, ` +
      'likeliest first';
  }

  return {TOP_WORDS, ranker, rows, status};
})();
