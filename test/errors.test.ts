import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ERROR_CODES } from '../src/errors.ts';

describe('error catalogue', () => {
  test('docs/errors.md lists every code with its status', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      assert.ok(doc.includes(`| \`${code}\` | ${info.status} |`), `docs/errors.md lacks ${code}`);
    }
  });
});
