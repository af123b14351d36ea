/**
 * Collects the fields of a NewBie request restorable from another tool's metadata (conventions.md §10): prompt,
 * negative prompt, seed, steps, guidance, size, and our own shift / cfg_trunc / renorm. Values that do not fit a
 * NewBie request are left out with a note, never guessed.
 */
import type { GenerationRequest } from '../../../shared/dto';
import { MAX_SEED } from '../../../shared/dto';
import { MAX_PROMPT_CHARS } from '../pipeline/validate';

export class RestoredRequest {
  readonly request: Partial<GenerationRequest> = {};
  readonly notes: string[] = [];

  constructor(private readonly origin: string) {}

  note(text: string): void {
    this.notes.push(text);
  }

  /** Prompt text; longer than a request may hold (MAX_PROMPT_CHARS) is left out, so no file can restore megabytes. */
  text(field: 'prompt' | 'negativePrompt', value: unknown): void {
    if (typeof value === 'string' && value.length > MAX_PROMPT_CHARS)
      this.note(`${this.origin}: ${field} is ${value.length} characters, more than the ${MAX_PROMPT_CHARS} a request may hold: not restored.`);
    else if (typeof value === 'string') this.request[field] = value;
    else if (value !== undefined && value !== null)
      this.note(`${this.origin}: ${field} is not text: not restored.`);
  }

  /** Seed as number or digit string; must be an integer 0 ≤ seed ≤ 2^53 − 1. */
  seed(value: unknown): void {
    if (value === undefined || value === null || value === '') return;
    const s = String(value).trim();
    if (/^\d+$/.test(s) && BigInt(s) <= BigInt(MAX_SEED)) {
      this.request.seed = Number(s);
      return;
    }
    this.note(`${this.origin}: seed ${s} is not an integer between 0 and 2^53 − 1: not restored.`);
  }

  steps(value: unknown): void {
    const n = toNumber(value);
    if (n === undefined) return;
    if (Number.isInteger(n) && n >= 1 && n <= 10_000) this.request.steps = n;
    else
      this.note(
        `${this.origin}: steps ${String(value)} is not an integer between 1 and 10000: not restored.`,
      );
  }

  /** A finite real number for guidance, shift (> 0), cfgTrunc, renormCfg. */
  real(field: 'guidance' | 'shift' | 'cfgTrunc' | 'renormCfg', value: unknown): void {
    const n = toNumber(value);
    if (n === undefined) return;
    if (Number.isFinite(n) && (field !== 'shift' || n > 0) && (field === 'guidance' || n >= 0))
      this.request[field] = n;
    else this.note(`${this.origin}: ${field} ${String(value)} is out of range: not restored.`);
  }

  /** Width and height in pixels; NewBie needs positive multiples of 16. */
  size(width: unknown, height: unknown): void {
    const w = toNumber(width);
    const h = toNumber(height);
    if (w === undefined || h === undefined) return;
    const ok = (v: number) => Number.isInteger(v) && v >= 16 && v <= 8192 && v % 16 === 0;
    if (ok(w) && ok(h)) {
      this.request.width = w;
      this.request.height = h;
    } else {
      this.note(
        `${this.origin}: size ${String(width)}x${String(height)} is not a multiple of 16 pixels per side: not restored.`,
      );
    }
  }

  /** Sampler names are shown, not mapped (conventions.md §10). */
  sampler(value: unknown): void {
    if (typeof value === 'string' && value)
      this.note(`${this.origin}: sampler "${value}" (shown only; not mapped).`);
  }
}

function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value))
    return Number(value);
  return Number.NaN;
}
