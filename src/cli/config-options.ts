// Adds one flag per configuration key (and --config) to a command, and turns the
// parsed flags back into ConfigSources for loadConfig.

import { Option, type Command } from 'commander';
import type { ConfigSources } from '../config/load.ts';
import { CONFIG_KEYS } from '../config/schema.ts';

export function addConfigOptions(command: Command): Command {
  command.addOption(new Option('--config <file>', 'JSON config file (also $TELEMETRICS_CONFIG)'));
  for (const key of CONFIG_KEYS) {
    const shown = key.default === null ? '' : ` (default: ${showDefault(key.default)})`;
    // A bool flag alone means true (`--public-read`); `--public-read false` still works.
    const value = key.type.kind === 'bool' ? '[value]' : '<value>';
    command.addOption(new Option(`${key.flag} ${value}`, `${key.doc}${shown} [$${key.env}]`));
  }
  return command;
}

export function configSourcesFromOptions(options: Record<string, unknown>): ConfigSources {
  const flags: Record<string, string | undefined> = {};
  for (const key of CONFIG_KEYS) {
    const value = options[new Option(`${key.flag} <value>`).attributeName()];
    if (typeof value === 'string') flags[key.path] = value;
    else if (value === true) flags[key.path] = 'true';
  }
  return { flags, configFile: typeof options.config === 'string' ? options.config : undefined };
}

function showDefault(value: NonNullable<(typeof CONFIG_KEYS)[number]['default']>): string {
  if (!Array.isArray(value)) return String(value);
  return value.every((v) => typeof v === 'string') ? value.join(',') || 'none' : JSON.stringify(value);
}
