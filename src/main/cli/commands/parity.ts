/**
 * `newbie-studio parity CASE_DIR [--json]`: runs one golden case at fp32 on CPU and reports max abs diff per target.
 * Exit 0 all pass, 1 any fail, 2 unreadable case (conventions.md §7).
 */
import type { Command } from 'commander';
import { runParityCase } from '../../engine/parity/runners';

/** Registers `parity <case-dir>` (a golden case run with the project engine; `--json` prints the result array; exit 1 on a failed check). */
export function registerParityCommands(program: Command): void {
  program
    .command('parity')
    .description('Run a golden parity case with the project engine (fp32, CPU) and compare to the reference outputs')
    .argument('<case-dir>', 'folder with parity.json, config.json, inputs/outputs/weights safetensors')
    .option('--json', 'print a JSON array of {case, variant, target, maxAbsDiff, tolerance, pass}')
    .action(async (caseDir: string, opts: { json?: boolean }) => {
      const results = await runParityCase(caseDir);
      if (opts.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      for (const r of results) {
        process.stderr.write(
          `${r.pass ? 'PASS' : 'FAIL'} ${r.case} ${r.variant} ${r.target}: max abs diff ${r.maxAbsDiff.toExponential(3)} (tolerance ${r.tolerance})\n`,
        );
      }
      process.exitCode = results.every((r) => r.pass) ? 0 : 1;
    });
}
