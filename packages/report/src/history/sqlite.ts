/**
 * The one file that imports better-sqlite3 (style.md §7: one file per library). Everything else talks to
 * the small `SqlDb` interface, so a test can see exactly what the store asks of SQLite.
 */
import Database from 'better-sqlite3';

export type SqlValue = string | number | bigint | null | Buffer;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

export interface SqlDb {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /** Run `fn` inside BEGIN IMMEDIATE … COMMIT; any throw rolls back. */
  transaction<T>(fn: () => T): T;
  /** `PRAGMA name` (or `name = value`), first column of the first row. */
  pragma(source: string): unknown;
  close(): void;
}

export interface OpenSqlOptions {
  readonly?: boolean;
  /** Fail instead of creating a missing file. */
  fileMustExist?: boolean;
  /** How long a write waits for another writer's lock. */
  busyTimeoutMs?: number;
}

export function openSqlite(path: string, options: OpenSqlOptions = {}): SqlDb {
  const db = new Database(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.fileMustExist ?? false,
    timeout: options.busyTimeoutMs ?? 5_000,
  });
  return {
    exec: (sql) => void db.exec(sql),
    prepare: (sql) => {
      const st = db.prepare(sql);
      return {
        run: (...p) => st.run(...p),
        get: (...p) => st.get(...p),
        all: (...p) => st.all(...p),
      };
    },
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    pragma: (source) => db.pragma(source, { simple: true }),
    close: () => db.close(),
  };
}
