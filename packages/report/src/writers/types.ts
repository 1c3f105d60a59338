import type { Writable } from 'node:stream';
import type { ScanReport } from '../schema.js';
import { ReportError } from '../errors.js';

/** Renders a report onto a stream. Choosing the stream (file, stdout) is the CLI's job. */
export interface ReportWriter {
  write(report: ScanReport, out: Writable): Promise<void>;
}

/** Write one chunk and wait for the stream's callback; stream errors become `REPORT_ERR_WRITE`. */
export function writeChunk(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => reject(new ReportError('REPORT_ERR_WRITE', 'could not write the report', { cause: err }));
    // A failed write also emits 'error' on the stream; without a listener that would crash the
    // process. The listener stays after a failure (the stream is dead) and is removed on success.
    const onError = (err: unknown): void => fail(err);
    out.on('error', onError);
    try {
      out.write(chunk, 'utf8', (err?: Error | null) => {
        if (err) return fail(err);
        out.off('error', onError);
        resolve();
      });
    } catch (err) {
      fail(err);
    }
  });
}
