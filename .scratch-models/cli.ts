import { runCli } from '../src/main/cli/main';
void runCli(process.argv.slice(2)).then((c) => { process.exitCode = c; });
