/**
 * `--dry-run` for `discover` and `scan` (issue 8): plan the run (scope guard included), print every
 * packet and connection it would make, open no socket. The planning itself is pure
 * (discovery/dry-run.ts); this file only picks the rendering. Exit 0; a refused target is still exit 2.
 */
import type { Command } from 'commander';
import type { DiscoveryPlan } from '../discovery/plan.js';
import { planDryRun, renderDryRun, type DryRunPlan } from '../discovery/dry-run.js';

export interface DryRunFlags {
  dryRun?: boolean;
}

export function addDryRunOption(cmd: Command): Command {
  return cmd.option('--dry-run', 'print every packet and connection the run would make (scope guard applied), send nothing');
}

export interface DryRunRequest {
  command: 'discover' | 'scan';
  plan: DiscoveryPlan;
  timeoutMs: number;
  ratePps: number;
  /** Print the plan as one JSON document instead of text. */
  json: boolean;
  extraPorts?: readonly number[] | undefined;
  tokenFiles?: number | undefined;
  out?: NodeJS.WritableStream | undefined;
}

/** Print the plan; returns it (tests). */
export function printDryRun(req: DryRunRequest): DryRunPlan {
  const p = planDryRun(req.plan, {
    timeoutMs: req.timeoutMs,
    ratePps: req.ratePps,
    ...(req.command === 'scan' ? { scan: { extraPorts: req.extraPorts ?? [], tokenFiles: req.tokenFiles ?? 0 } } : {}),
  });
  const out = req.out ?? process.stdout;
  out.write(req.json ? JSON.stringify({ dryRun: true, ...p }, null, 2) + '\n' : renderDryRun(p));
  return p;
}
