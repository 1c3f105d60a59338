/** Small pieces every CLI command shares. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

export const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export const intOption = (name: string, min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
  return n;
};

export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Errors that mean "the user's input is wrong" (a tokens file, a port list): exit 2 like usage errors. */
export function isUsageError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(SCAN_ERR_|MIIO_ERR_TOKENS|MIIO_ERR_BAD_PORTS|MIIO_ERR_BAD_TOKEN|REPORT_ERR_UNKNOWN_FORMAT)/.test(code);
}

let pendingExitCode = 0;
/** Commands report their exit status here (commander discards action return values). */
export function setExitCode(code: number): void {
  pendingExitCode = Math.max(pendingExitCode, code);
}
export function takeExitCode(): number {
  const c = pendingExitCode;
  pendingExitCode = 0;
  return c;
}
