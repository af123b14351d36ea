/**
 * `newbie-studio` command line. Each command group lives in commands/<group>.ts and registers itself here.
 * Exit codes (conventions.md §7): 0 ok, 1 check failed, 2 usage/invalid input, 3 runtime failure, 130 cancelled.
 * `--json` prints one JSON document on stdout; human text goes to stderr.
 */
import { Command, CommanderError } from 'commander';
import { StudioError, exitCodeFor } from '../../shared/errors';
import { appVersion } from '../version';
import { registerParityCommands } from './commands/parity';
import { registerGenerateCommands } from './commands/generate';
import { registerHistoryCommands } from './commands/history';
import { registerModelsCommands } from './commands/models';
import { registerDevicesCommands } from './commands/devices';
import { registerPromptCommands } from './commands/prompt';
import { registerServeCommands } from './commands/serve';

/** The `newbie-studio` commander program with every command group registered (parsing is the caller's). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('newbie-studio')
    .description('NewBie Studio: generate images with NewBie-image-Exp0.1 on your own GPU, from the command line.')
    .version(appVersion())
    .showHelpAfterError()
    .exitOverride();
  // Command groups register here (one line each).
  registerGenerateCommands(program);
  registerParityCommands(program);
  registerHistoryCommands(program);
  registerModelsCommands(program);
  registerDevicesCommands(program);
  registerPromptCommands(program);
  registerServeCommands(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    // With --json a failure is still one JSON document on stdout (conventions.md §7): {"error":{code,message,hint?}}.
    const jsonError = (error: { code?: string; message: string; hint?: string }) => {
      if (argv.includes('--json')) process.stdout.write(JSON.stringify({ error }) + '\n');
    };
    if (e instanceof CommanderError) {
      // --help / --version exit with code 0 through exitOverride; usage errors are exit 2.
      if (e.exitCode === 0) return 0;
      jsonError({ code: 'InvalidRequest', message: e.message.replace(/^error: /, '') });
      return 2;
    }
    if (e instanceof StudioError) {
      process.stderr.write(`newbie-studio: ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}\n`);
      jsonError(e.toData());
      return exitCodeFor(e.code);
    }
    const message = `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`newbie-studio: ${message}\n`);
    jsonError({ code: 'EngineCrashed', message });
    return 3;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
