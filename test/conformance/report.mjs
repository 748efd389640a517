// Per-test comparison of the direct and the proxied passes, and the printed summary.

const SHORT = { pass: 'pass', fail: 'FAIL', skipped: 'skip', disabled: 'off', missing: '-' };
const DETAIL_SHOWN = 30;

function statusOf(pass, test) {
  return pass?.results.get(test)?.status ?? 'missing';
}

/**
 * Classifies every (test, mode): `same` (both pass, or neither), `differs` (passes direct, not through
 * the proxy), `proxyOnly` (passes only through the proxy), `notDirect` (does not pass direct: the list
 * needs curating). A `differs` listed in expected-differences.txt is `expected`, otherwise `unexpected`;
 * a listed pair that no longer differs is `stale`.
 */
export function compare({ tests, modes, passes, expected, directOnly }) {
  const find = (mode, target) => passes.find((p) => p.mode === mode && p.target === target);
  const v = { rows: [], unexpected: [], expected: [], proxyOnly: [], notDirect: [], stale: [] };
  for (const test of tests) {
    const row = { test, cells: [] };
    for (const mode of modes) {
      const d = statusOf(find(mode, 'direct'), test);
      const p = directOnly ? 'missing' : statusOf(find(mode, 'proxy'), test);
      const key = `${test} ${mode}`;
      let kind = 'same';
      if (d !== 'pass') {
        v.notDirect.push({ test, mode, status: d });
        if (p === 'pass') { kind = 'proxyOnly'; v.proxyOnly.push({ test, mode }); }
      } else if (!directOnly && p !== 'pass') {
        const reason = expected.get(key);
        kind = reason === undefined ? 'unexpected' : 'expected';
        const item = { test, mode, status: p, reason, detail: find(mode, 'proxy')?.results.get(test)?.detail ?? [] };
        (reason === undefined ? v.unexpected : v.expected).push(item);
      }
      if (kind === 'same' && expected.has(key) && d === 'pass' && p === 'pass') v.stale.push({ test, mode });
      row.cells.push({ d, p, kind });
    }
    v.rows.push(row);
  }
  return v;
}

function pad(s, n) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function timeOf(passes, mode, target, test) {
  const r = passes.find((p) => p.mode === mode && p.target === target)?.results.get(test);
  return r?.ms ?? null;
}

export function formatReport({ verdict, passes, tests, modes, elapsedMs, workDir }) {
  const w = Math.max(...tests.map((t) => t.length), 4) + 2;
  const lines = [''];
  lines.push(pad('test', w) + modes.map((m) => pad(`${m}: direct proxy`, 22)).join('') + 'verdict');
  lines.push('-'.repeat(w + 22 * modes.length + 12));
  for (const row of verdict.rows) {
    const cells = row.cells.map((c) => pad(`${pad(SHORT[c.d] ?? c.d, 13)}${SHORT[c.p] ?? c.p}`, 22)).join('');
    const kinds = row.cells.map((c) => c.kind);
    const kind = kinds.includes('unexpected') ? 'DIFFERS' : kinds.includes('expected') ? 'differs (expected)'
      : kinds.includes('proxyOnly') ? 'passes only via proxy' : 'same';
    lines.push(pad(row.test, w) + cells + kind);
  }
  lines.push('');
  for (const p of passes) {
    let n = 0;
    let sum = 0;
    for (const t of tests) {
      const ms = timeOf(passes, p.mode, p.target, t);
      if (ms !== null) { n++; sum += ms; }
    }
    lines.push(`pass ${pad(`${p.mode}/${p.target}`, 14)} ${n} passed, tests ${(sum / 1000).toFixed(1)} s, wall ${(p.wallMs / 1000).toFixed(1)} s, mtr exit ${p.exitCode}${p.proxyDied ? `, PROXY DIED (${p.proxyDied})` : ''}`);
  }
  lines.push(`total ${(elapsedMs / 1000).toFixed(1)} s`);
  if (verdict.notDirect.length > 0) {
    lines.push('', `not passing direct (not compared; the list may need curating): ${verdict.notDirect.map((x) => `${x.test}/${x.mode}:${x.status}`).join(', ')}`);
  }
  if (verdict.proxyOnly.length > 0) lines.push(`passing only through the proxy: ${verdict.proxyOnly.map((x) => `${x.test}/${x.mode}`).join(', ')}`);
  if (verdict.stale.length > 0) lines.push(`listed in expected-differences.txt but now the same (remove?): ${verdict.stale.map((x) => `${x.test}/${x.mode}`).join(', ')}`);
  for (const x of verdict.expected) lines.push(`expected difference ${x.test}/${x.mode}: ${x.reason}`);
  for (const x of verdict.unexpected) {
    lines.push('', `UNEXPECTED: ${x.test} (${x.mode}) is ${x.status} through the proxy; mtr said:`);
    lines.push(...x.detail.slice(0, DETAIL_SHOWN).map((l) => `    ${l}`));
    lines.push(`    (full: ${workDir}/${x.mode}-proxy/mtr.log and reject/)`);
  }
  lines.push('', verdict.unexpected.length === 0
    ? `conformance: OK (${verdict.expected.length} expected differences)`
    : `conformance: ${verdict.unexpected.length} unexpected differences`);
  return lines.join('\n');
}
