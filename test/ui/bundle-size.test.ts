// The production UI bundle (dist/ui, built by `pretest`) stays under 150 KB gzip (issue #6):
// every file the browser loads for a first view, compressed as the server could send it.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { UI_BUILD_DIR } from '../../src/ui-static.ts';

const BUDGET_BYTES = 150 * 1024;

describe('UI bundle', () => {
  test('is under 150 KB gzip', { skip: existsSync(join(UI_BUILD_DIR, 'index.html')) ? false : 'dist/ui is not built (npm run build:ui)' }, () => {
    const assets = join(UI_BUILD_DIR, 'assets');
    const files = [join(UI_BUILD_DIR, 'index.html'), ...readdirSync(assets).map((name) => join(assets, name))];
    const gzipped = files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
    assert.ok(gzipped < BUDGET_BYTES, `${gzipped} bytes gzip, budget ${BUDGET_BYTES}`);
  });
});
