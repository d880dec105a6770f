// Prints the configuration keys as a Markdown table, for docs/configuration.md.

import { CONFIG_KEYS } from '../src/config/schema.ts';

const show = (v: unknown) =>
  v === null ? '(unset)' : Array.isArray(v) ? (v.length === 0 ? '(none)' : v.every((x) => typeof x === 'string') ? v.join(',') : JSON.stringify(v)) : String(v);
process.stdout.write('| key (config file) | environment | flag | default | meaning |\n|---|---|---|---|---|\n');
for (const key of CONFIG_KEYS) {
  process.stdout.write(`| \`${key.path}\` | \`${key.env}\` | \`${key.flag}\` | \`${show(key.default)}\` | ${key.doc} |\n`);
}
