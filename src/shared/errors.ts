/**
 * The one error catalogue shared by CLI, IPC and UI (conventions.md §7).
 * Every expected failure carries one of these codes and a message a person can act on.
 */
export const ERROR_CODES = [
  'InvalidRequest',
  'PromptInvalid',
  'ModelIncomplete',
  'ModelInvalid',
  'ProviderUnavailable',
  'PrecisionUnsupported',
  'OutOfMemory',
  'EngineCrashed',
  'Cancelled',
  'Interrupted',
  'DbFromFuture',
  'DbUnreadable',
  'DownloadFailed',
  'Unauthorized',
  'ChecksumMismatch',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Plain-data form of an error: structured-clone safe, never a stack. */
export interface StudioErrorData {
  code: ErrorCode;
  message: string;
  /** Optional hint on how to fix it ("download it or point to a Gemma3-4B-it checkpoint"). */
  hint?: string;
}

/** A typed, expected failure. `code` picks the CLI exit code and the UI's wording. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.hint = hint;
  }
  toData(): StudioErrorData {
    return this.hint ? { code: this.code, message: this.message, hint: this.hint } : { code: this.code, message: this.message };
  }
}

/** Type guard: `v` is a code of the error catalogue ERROR_CODES (conventions.md §7). */
export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
}

/** CLI exit code for an error code (conventions.md §7): 1 check failed, 2 invalid input, 3 runtime, 130 cancelled. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'InvalidRequest':
    case 'PromptInvalid':
    case 'ModelIncomplete':
    case 'ModelInvalid':
    case 'PrecisionUnsupported':
    case 'DbFromFuture':
    case 'DbUnreadable':
    case 'Unauthorized':
      return 2;
    case 'Cancelled':
      return 130;
    default:
      return 3;
  }
}

/** Result of every invoke channel: expected failures are values, not exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: StudioErrorData };

/** A successful Result carrying `value`. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** A failed Result with a catalogue `code`, a message a person can act on, and an optional hint. */
export const err = (code: ErrorCode, message: string, hint?: string): Result<never> => ({
  ok: false,
  error: hint ? { code, message, hint } : { code, message },
});
