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

/** Reads a prompt file (or stdin for `-`) as UTF-8, BOM kept. Throws StudioError InvalidRequest. */
export function readPromptFile(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e));
    throw new StudioError('InvalidRequest', `Cannot read the prompt file ${file}: ${why}.`, 'Pass the path of a text file holding the prompt, or - for stdin.');
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
