import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_KEYS } from '../../src/config/schema.ts';

describe('docs/configuration.md', () => {
  test('lists every configuration key with its environment variable and flag', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    for (const key of CONFIG_KEYS) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${key.path}\` `));
      assert.ok(row, `docs/configuration.md has no row for ${key.path}`);
      assert.ok(row.includes(`\`${key.env}\``) && row.includes(`\`${key.flag}\``), `row of ${key.path} lacks ${key.env} or ${key.flag}`);
    }
  });
});
