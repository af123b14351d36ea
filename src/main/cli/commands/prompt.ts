/**
 * `newbie-studio prompt check FILE [--json]` and `newbie-studio prompt format FILE` (issue 5).
 * check: diagnostics, exit 1 if any error, else 0; `--json` prints
 * `{"mode":"xml|tags|natural","diagnostics":[{"severity","code","message","line","column"}]}` on stdout.
 * format: the canonical layout on stdout; a prompt with syntax errors is printed unchanged and exits 1.
 * FILE `-` reads stdin. An unreadable file is InvalidRequest (exit 2).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StudioError } from '../../../shared/errors';
import { checkPrompt, formatPrompt, hasErrors, parsePrompt, type Diagnostic, type TagIndex } from '../../../shared/prompt';
import { loadTagIndex } from '../../tags';

/**
 * Reads a prompt file (or stdin for `-`): UTF-8, or UTF-16 with its BOM (Windows Notepad's "Unicode"); the BOM is kept
 * (the parser skips it, the pipeline removes it). Other encodings and binary files are refused instead of being
 * turned into U+FFFD and sent to the encoders.
 * @throws StudioError InvalidRequest naming the file (missing, a folder, binary, not UTF-8).
 */
export function readPromptFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e));
    throw new StudioError('InvalidRequest', `Cannot read the prompt file ${file}: ${why}.`, 'Pass the path of a text file holding the prompt, or - for stdin.');
  }
  return decodePromptBytes(bytes, file);
}

/**
 * Decodes prompt file bytes: UTF-16 LE/BE when they start with its BOM, else strict UTF-8 (BOM kept as U+FEFF).
 * @throws StudioError InvalidRequest for NUL bytes (a binary file) or bytes that are not UTF-8, with the line.
 */
export function decodePromptBytes(bytes: Uint8Array, name: string): string {
  const bad = (why: string) =>
    new StudioError('InvalidRequest', `The prompt file ${name} ${why}.`, 'Save the prompt as UTF-8 text (or pass it with --prompt-text).');
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    if (bytes.length % 2 !== 0) throw bad('starts with a UTF-16 byte order mark but has an odd number of bytes');
    const le = Buffer.from(bytes);
    if (bytes[0] === 0xfe) le.swap16(); // big endian → little endian
    try {
      return new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(le);
    } catch {
      throw bad('is not valid UTF-16 text');
    }
  }
  if (bytes.includes(0)) throw bad('is a binary file (it contains NUL bytes), not a text prompt');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const at = lenient.indexOf('\uFFFD');
    const line = lenient.slice(0, Math.max(0, at)).split('\n').length;
    throw bad(`is not UTF-8 text (first invalid byte on line ${line}; Latin-1 or Windows-1252 files are not read)`);
  }
}

function tagIndexOrNotice(): TagIndex | undefined {
  try {
    return loadTagIndex();
  } catch (e) {
    if (!(e instanceof StudioError)) throw e;
    process.stderr.write(`newbie-studio: ${e.message} Danbooru tag checks are skipped.\n`);
    return undefined;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(diagnostics: readonly Diagnostic[]): string {
  const n = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${plural(n('info'), 'info')}`;
}

/** Adds `prompt check` and `prompt format` to the CLI program (exit codes: conventions.md §7). */
export function registerPromptCommands(program: Command): void {
  const prompt = program.command('prompt').description('Check and format NewBie XML prompts');

  prompt
    .command('check')
    .description('Report problems in a prompt (exit 1 if any error)')
    .argument('<file>', 'prompt file, or - for stdin')
    .option('--json', 'print {"mode","diagnostics":[{severity,code,message,line,column}]} on stdout')
    .option('--no-tags', 'skip the danbooru tag list checks')
    .action((file: string, opts: { json?: boolean; tags: boolean }) => {
      const text = readPromptFile(file);
      const tagIndex = opts.tags ? tagIndexOrNotice() : undefined;
      const { mode, diagnostics } = checkPrompt(text, { tagIndex });
      if (opts.json) {
        const doc = {
          mode,
          diagnostics: diagnostics.map(({ severity, code, message, line, column }) => ({ severity, code, message, line, column })),
        };
        process.stdout.write(JSON.stringify(doc) + '\n');
      } else {
        for (const d of diagnostics) {
          process.stdout.write(`${file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}\n`);
        }
      }
      process.stderr.write(`${file}: ${mode} prompt, ${summary(diagnostics)}\n`);
      process.exitCode = hasErrors(diagnostics) ? 1 : 0;
    });

  prompt
    .command('format')
    .description('Print the prompt in the canonical layout (one element per line, two-space indent)')
    .argument('<file>', 'prompt file, or - for stdin')
    .action((file: string) => {
      const text = readPromptFile(file);
      const parsed = parsePrompt(text);
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
      process.stdout.write(formatPrompt(text));
      if (errors.length > 0) {
        for (const d of errors) process.stderr.write(`${file}:${d.line}:${d.column}: error [${d.code}] ${d.message}\n`);
        process.stderr.write(`${file}: not formatted, fix the ${plural(errors.length, 'syntax error')} first (printed unchanged)\n`);
        process.exitCode = 1;
      } else {
        if (parsed.mode !== 'xml') process.stderr.write(`${file}: a ${parsed.mode} prompt has no XML layout (printed unchanged)\n`);
        process.exitCode = 0;
      }
    });
}
