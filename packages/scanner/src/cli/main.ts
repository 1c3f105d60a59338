/**
 * xmscan CLI entry (bin/xmscan.mjs imports dist/cli/main.js). The only place that prints or exits.
 * Exit codes: 0 ok, 1 unexpected failure, 2 usage / scope refusal (nothing sent).
 */
import { Command } from 'commander';
import { registerDiscover } from './commands/discover.js';
import { registerScan } from './commands/scan.js';
import { isUsageError, pkg, takeExitCode } from './common.js';

export function buildProgram(): Command {
  const program = new Command('xmscan')
    .description('Audit the Xiaomi / Mi Home devices on your home network (read-only).')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerDiscover(program);
  registerScan(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return takeExitCode();
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // --help / --version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (isUsageError(err)) {
      process.stderr.write(`xmscan: ${err.message} [${err.code}]\n`);
      return 2;
    }
    process.stderr.write(`xmscan: unexpected failure: ${e.message ?? String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
process.exitCode = code;
