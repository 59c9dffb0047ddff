import { Diagnostic, Severity } from '../diagnostics';
import { KeyRange } from './types';

/**
 * Typed, located reads of config keys. A key may have several spellings (`n_embd` / `hidden_size`):
 * the first present one is used and named in messages. A wrong type or an absurd value is an error
 * at the key's position, and the read returns undefined (the caller falls back or gives up); nothing
 * throws.
 */
export interface IntRule {
  readonly min?: number;
  readonly max?: number;
  /** Message when required and absent: the analysis cannot go on without it. */
  readonly required?: boolean;
}

/** Far beyond any published model; above them a value is a typo or an overflow, not a design. */
export const LIMITS = {
  hidden: 1 << 20,
  layers: 10_000,
  heads: 16_384,
  intermediate: 1 << 22,
  vocab: 50_000_000,
  positions: 1 << 27,
  experts: 65_536,
} as const;

export class ConfigReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly raw: Readonly<Record<string, unknown>>,
    private readonly keys: ReadonlyMap<string, KeyRange>,
  ) {}

  /** The first spelling present in the config (null/absent count as absent, as transformers does). */
  present(spellings: readonly string[]): string | undefined {
    return spellings.find((k) => this.raw[k] !== undefined && this.raw[k] !== null);
  }

  has(spellings: readonly string[]): boolean {
    return this.present(spellings) !== undefined;
  }

  report(severity: Severity, code: string, message: string, key?: string): void {
    const range = key === undefined ? undefined : this.keys.get(key);
    const where = range ? ` (line ${range.line + 1})` : '';
    this.diagnostics.push({ severity, code, message: `${message}${where}`, location: { offset: range?.offset ?? 0, value: key } });
  }

  int(spellings: readonly string[], rule: IntRule = {}): number | undefined {
    const key = this.present(spellings);
    if (key === undefined) {
      if (rule.required) this.report('error', 'hf.missing-key', `config has no "${spellings.join('" or "')}", which the cost model needs`);
      return undefined;
    }
    const value = this.raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.report('error', 'hf.bad-value', `"${key}" should be a number, got ${describe(value)}`, key);
      return undefined;
    }
    if (!Number.isInteger(value)) {
      this.report('error', 'hf.bad-value', `"${key}" should be a whole number, got ${value}`, key);
      return undefined;
    }
    const min = rule.min ?? 1;
    if (value < min || (rule.max !== undefined && value > rule.max)) {
      this.report('error', 'hf.absurd-value', `"${key}" = ${value} is not a usable size (expected ${min}${rule.max !== undefined ? ` to ${rule.max}` : ' or more'})`, key);
      return undefined;
    }
    return value;
  }

  float(spellings: readonly string[], min: number, max: number): number | undefined {
    const key = this.present(spellings);
    if (key === undefined) return undefined;
    const value = this.raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.report('error', 'hf.bad-value', `"${key}" should be a number from ${min} to ${max}, got ${describe(value)}`, key);
      return undefined;
    }
    return value;
  }

  bool(spellings: readonly string[]): boolean | undefined {
    const key = this.present(spellings);
    if (key === undefined) return undefined;
    const value = this.raw[key];
    if (typeof value !== 'boolean') {
      this.report('warning', 'hf.bad-value', `"${key}" should be true or false, got ${describe(value)}; ignored`, key);
      return undefined;
    }
    return value;
  }

  string(spellings: readonly string[]): string | undefined {
    const key = this.present(spellings);
    if (key === undefined) return undefined;
    const value = this.raw[key];
    if (typeof value !== 'string') {
      this.report('warning', 'hf.bad-value', `"${key}" should be a string, got ${describe(value)}; ignored`, key);
      return undefined;
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
