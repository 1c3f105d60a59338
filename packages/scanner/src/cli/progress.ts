/**
 * Progress on stderr while a scan runs: phase, hosts swept, devices found, devices probed. One line,
 * redrawn in place, only when stderr is a TTY (never in pipes, cron or the journal) and never with
 * `--quiet`. Fed by wrapping the discovery sources (the sweep's packets are counted at the shared rate
 * limiter, so no source needs to know about it) and by the scan's per-device callbacks.
 */
import type { DiscoverySource } from '../discovery/source.js';

export type ScanPhase = 'discovery' | 'probing' | 'report';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

export interface Progress {
  readonly enabled: boolean;
  phase(p: ScanPhase): void;
  /** How many hosts the unicast sweep covers (from the discovery plan). */
  sweepTotal(n: number): void;
  hostSwept(): void;
  deviceFound(): void;
  deviceProbed(): void;
  /** Wrap discovery sources so the sweep's sends are counted. */
  instrument(sources: readonly DiscoverySource[]): DiscoverySource[];
  /** Erase the line (before the report is printed). */
  done(): void;
  /** Current numbers (tests). */
  snapshot(): { phase: ScanPhase; swept: number; sweepTotal: number; found: number; probed: number };
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Force on or off; default: on when the stream is a TTY. */
  enabled?: boolean;
  /** Minimum ms between redraws. */
  intervalMs?: number;
  now?: () => number;
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 100;
  const state = { phase: 'discovery' as ScanPhase, swept: 0, sweepTotal: 0, found: 0, probed: 0 };
  let lastDraw = -Infinity;
  let drawn = false;

  const line = () => {
    const sweep = state.sweepTotal > 0 ? ` · hosts swept ${Math.min(state.swept, state.sweepTotal)}/${state.sweepTotal}` : '';
    return `xmscan: ${state.phase}${sweep} · devices found ${state.found} · probed ${state.probed}`;
  };
  const draw = (force = false) => {
    if (!enabled) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[2K${line().slice(0, width)}`);
    drawn = true;
  };

  const progress: Progress = {
    enabled,
    phase(p) {
      state.phase = p;
      draw(true);
    },
    sweepTotal(n) {
      state.sweepTotal = n;
      draw();
    },
    hostSwept() {
      state.swept++;
      draw();
    },
    deviceFound() {
      state.found++;
      draw();
    },
    deviceProbed() {
      // The first finished audit means discovery is over (audits start once its window closes).
      if (state.phase === 'discovery') state.phase = 'probing';
      state.probed++;
      draw();
    },
    instrument(sources) {
      return sources.map((src) =>
        src.name !== 'hello-sweep'
          ? src
          : {
              name: src.name,
              run: (ctx) =>
                src.run({
                  ...ctx,
                  limiter: {
                    ratePps: ctx.limiter.ratePps,
                    acquire: async (signal?: AbortSignal) => {
                      const ok = await ctx.limiter.acquire(signal);
                      // First pass: one send per host; the retry pass re-sends to silent hosts (capped in the line).
                      if (ok) progress.hostSwept();
                      return ok;
                    },
                  },
                }),
            },
      );
    },
    done() {
      if (enabled && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
    snapshot: () => ({ ...state }),
  };
  return progress;
}
