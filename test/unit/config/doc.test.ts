// docs/CONFIGURATION.md must be exactly what the registry renders, so the docs cannot drift from the code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigurationMarkdown } from '../../../src/config/doc.js';
import { PARAMS } from '../../../src/config/params.js';
import { ROOT } from './helpers.js';

const REGENERATE = 'npm run build && node dist/src/config/render-doc.js > docs/CONFIGURATION.md';

void describe('docs/CONFIGURATION.md', () => {
  const rendered = renderConfigurationMarkdown();

  void test('is up to date with src/config/params.ts', () => {
    const onDisk = readFileSync(join(ROOT, 'docs', 'CONFIGURATION.md'), 'utf8');
    assert.ok(onDisk === rendered, `docs/CONFIGURATION.md is stale; regenerate it: ${REGENERATE}`);
  });

  void test('lists every parameter once, with its status, and starts with the precedence rules', () => {
    for (const def of PARAMS) {
      const rows = rendered.split('\n').filter((l) => l.startsWith(`| \`${def.name}\``));
      assert.equal(rows.length, 1, def.name);
      assert.ok(rows[0]?.includes(def.status === 'works' ? '| works |' : '| no effect yet |'), def.name);
    }
    assert.ok(rendered.indexOf('## Sources and precedence') < rendered.indexOf('## Parameters'));
  });
});

void test('docs/COMPATIBILITY.md lists exactly the parameters that have no effect yet', () => {
  const text = readFileSync(join(ROOT, 'docs', 'COMPATIBILITY.md'), 'utf8');
  const block = /<!-- no-effect-yet:start -->([\s\S]*?)<!-- no-effect-yet:end -->/.exec(text);
  assert.ok(block !== null, 'COMPATIBILITY.md has no no-effect-yet block');
  const listed = [...(block[1] ?? '').matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]).sort();
  const expected = PARAMS.filter((d) => d.status !== 'works').map((d) => d.name).sort();
  assert.deepEqual(listed, expected, 'update the list in docs/COMPATIBILITY.md when a parameter starts (or stops) having an effect');
});
