/**
 * xmscan CLI entry (bin/xmscan.mjs imports dist/cli/main.js). The only place that prints or exits.
 * Exit codes (issue 5; cli/exit-code.ts): 0 ok / nothing at --fail-on / no change, 1 findings at --fail-on (scan) or
 * changes (diff), 2 usage error, scope refusal (nothing sent) or runtime failure (also after a partial report when
 * sends were refused or an interface went away), 3 notification failed (scan), 130/143 interrupted by SIGINT/SIGTERM
 * after the partial report was written and stored (issue 8).
 */
import { Command } from 'commander';
import { installConfig } from './config.js';
import { registerDemo } from './commands/demo.js';
import { registerDiscover } from './commands/discover.js';
import { registerScan } from './commands/scan.js';
import { registerHistory } from './commands/history.js';
import { registerDiff } from './commands/diff.js';
import { isUsageError, pkg, takeExitCode } from './common.js';

export function buildProgram(): Command {
  const program = new Command('xmscan')
    .description('Audit the Xiaomi / Mi Home devices on your home network (read-only).')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerDiscover(program);
  registerScan(program);
  registerDemo(program);
  registerHistory(program);
  registerDiff(program);
  // Last: config file and XMSCAN_* env for every option registered above.
  installConfig(program);
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
    // 1 means "findings" / "changes": a failure must never look like that (issue 5), so it is 2.
    const tag = typeof e.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code) ? ` [${e.code}]` : '';
    process.stderr.write(`xmscan: ${tag ? '' : 'unexpected failure: '}${e.message ?? String(err)}${tag}\n`);
    return 2;
  }
}

const code = await main(process.argv);
process.exitCode = code;
