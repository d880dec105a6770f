// Reads configuration from flags > environment > JSON config file > defaults,
// validates every key of CONFIG_KEYS and returns one frozen Config. The only
// module allowed to read process.env; it reports every problem at once.

import { readFileSync } from 'node:fs';
import { CONFIG_FILE_ENV, CONFIG_KEYS, type Config, type ConfigKey } from './schema.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigSources {
  /** Flag values by key path (e.g. { port: '9000', 'ingest.bodyLimit': '2048' }). */
  flags?: Record<string, string | undefined>;
  /** Path of a JSON config file; defaults to $TELEMETRICS_CONFIG. */
  configFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

type RawValue = { value: unknown; source: string };

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const filePath = sources.configFile ?? env[CONFIG_FILE_ENV];
  const fileValues = filePath ? readConfigFile(filePath, problems) : {};

  const result: Record<string, unknown> = {};
  const knownPaths = new Set(CONFIG_KEYS.map((k) => k.path));
  // A json key's object value is the value itself, not more keys.
  const jsonPaths = new Set(CONFIG_KEYS.filter((k) => k.type.kind === 'json').map((k) => k.path));
  const flatFile = flattenObject(fileValues, '', jsonPaths);
  for (const path of Object.keys(flatFile)) {
    if (!knownPaths.has(path)) problems.push(`${path} (config file ${filePath}): unknown key`);
  }

  for (const key of CONFIG_KEYS) {
    const raw = pickRaw(key, sources.flags ?? {}, env, flatFile, filePath);
    const parsed = raw === undefined ? { ok: true as const, value: key.default } : parseValue(key, raw);
    if (!parsed.ok) {
      problems.push(`${describeKey(key, raw?.source)}: ${parsed.message}`);
      continue;
    }
    setPath(result, key.path, parsed.value);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result) as unknown as Config;
}

function pickRaw(
  key: ConfigKey,
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
  filePath: string | undefined,
): RawValue | undefined {
  if (flags[key.path] !== undefined) return { value: flags[key.path], source: key.flag };
  const envValue = env[key.env];
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: key.env };
  if (file[key.path] !== undefined) return { value: file[key.path], source: `config file ${filePath}` };
  return undefined;
}

function describeKey(key: ConfigKey, source: string | undefined): string {
  return source ? `${key.path} (${source})` : key.path;
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseValue(key: ConfigKey, raw: RawValue): Parsed {
  const { value } = raw;
  const type = key.type;
  switch (type.kind) {
    case 'string': {
      if (typeof value !== 'string') return { ok: false, message: 'must be a string' };
      if (!type.allowEmpty && value.trim() === '') return { ok: false, message: 'must not be empty' };
      if (type.pattern && !type.pattern.regex.test(value)) return { ok: false, message: `must be ${type.pattern.hint}` };
      return { ok: true, value };
    }
    case 'bool': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, message: 'must be true or false' };
    }
    case 'json': {
      if (typeof value !== 'string') return type.validate(value);
      try {
        return type.validate(JSON.parse(value));
      } catch (err) {
        return { ok: false, message: `not valid JSON (${(err as Error).message})` };
      }
    }
    case 'url': {
      if (typeof value !== 'string') return { ok: false, message: 'must be a string' };
      if (!/^postgres(ql)?:\/\//.test(value)) {
        return { ok: false, message: 'must be a postgres:// or postgresql:// URL' };
      }
      try {
        new URL(value);
      } catch {
        return { ok: false, message: 'is not a valid URL' };
      }
      return { ok: true, value };
    }
    case 'int': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^\d+$/.test(text.trim())) {
        return { ok: false, message: `must be a whole number from ${type.min} to ${type.max}` };
      }
      const n = Number(text.trim());
      if (n < type.min || n > type.max) return { ok: false, message: `must be from ${type.min} to ${type.max}, got ${n}` };
      return { ok: true, value: n };
    }
    case 'enum': {
      if (typeof value !== 'string' || !type.values.includes(value)) {
        return { ok: false, message: `must be one of ${type.values.join(', ')}` };
      }
      return { ok: true, value };
    }
    case 'list': {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { ok: true, value: value.map((v: string) => v.trim()).filter(Boolean) };
      if (typeof value === 'string') return { ok: true, value: value.split(',').map((v) => v.trim()).filter(Boolean) };
      return { ok: false, message: 'must be a comma-separated list or an array of strings' };
    }
  }
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`config file ${path}: must hold one JSON object`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    problems.push(`config file ${path}: not valid JSON (${(err as Error).message})`);
    return {};
  }
}

function flattenObject(obj: Record<string, unknown>, prefix: string, leafPaths: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !leafPaths.has(path)) Object.assign(out, flattenObject(v as Record<string, unknown>, path, leafPaths));
    else out[path] = v;
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
