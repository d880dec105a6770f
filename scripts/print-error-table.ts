// Prints the error catalogue as a Markdown table, for docs/errors.md.

import { ERROR_CODES } from '../src/errors.ts';

process.stdout.write('| code | status | meaning | how to fix |\n|---|---|---|---|\n');
for (const [code, info] of Object.entries(ERROR_CODES)) {
  process.stdout.write(`| \`${code}\` | ${info.status} | ${info.message} | ${info.fix} |\n`);
}
