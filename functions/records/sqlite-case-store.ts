import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { DocumentCaseStore } from './document-case-store.js';
import { loadSqlite } from './load-sqlite.js';
import { touchPrivateFile } from './private-fs.js';
import { AuditRecordOverwriteError, CREATE_ONLY, type Mutator, type RecordKind, type RecordTable } from './record-table.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL,
  incident TEXT NOT NULL,
  key TEXT NOT NULL,
  flag TEXT,
  body TEXT NOT NULL,
  PRIMARY KEY (kind, incident, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_flag ON records (kind, flag, incident, key) WHERE flag IS NOT NULL;
CREATE TABLE IF NOT EXISTS action_counts (
  account TEXT NOT NULL,
  hour TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (account, hour)
) WITHOUT ROWID;
`;

/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * RecordTable on Node's built-in SQLite. WAL lets readers run beside a writer; every change is a
 * `BEGIN IMMEDIATE` transaction (the write lock is taken before the read), so a read-modify-write
 * in one process cannot interleave with another's and no update is lost.
 */
export class SqliteRecordTable implements RecordTable {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    const { DatabaseSync } = loadSqlite();
    // Created owner-only before SQLite opens it: its -wal and -shm files take the database's mode.
    touchPrivateFile(path);
    this.db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
    this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.transaction(() => this.db.exec(SCHEMA));
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  private bodies<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.db.prepare(sql).all(...params).map((row) => JSON.parse(String(row.body)) as T);
  }

  async get<T>(kind: RecordKind, incident: string, key: string) {
    return this.bodies<T>('SELECT body FROM records WHERE kind = ? AND incident = ? AND key = ?', kind, incident, key)[0];
  }

  async listByIncident<T>(kind: RecordKind, incident: string) {
    return this.bodies<T>('SELECT body FROM records WHERE kind = ? AND incident = ? ORDER BY key', kind, incident);
  }

  async listByFlag<T>(kind: RecordKind, flag: string) {
    return this.bodies<T>('SELECT body FROM records WHERE kind = ? AND flag = ? ORDER BY incident, key', kind, flag);
  }

  async mutate<T>(kind: RecordKind, incident: string, key: string, fn: Mutator<T>) {
    return this.transaction(() => {
      const current = this.bodies<T>('SELECT body FROM records WHERE kind = ? AND incident = ? AND key = ?', kind, incident, key)[0];
      const next = fn(current);
      if (!next) return { changed: false, body: current };
      if (current !== undefined && CREATE_ONLY.has(kind)) throw new AuditRecordOverwriteError(incident, key);
      this.db
        .prepare('INSERT OR REPLACE INTO records (kind, incident, key, flag, body) VALUES (?, ?, ?, ?, ?)')
        .run(kind, incident, key, next.flag ?? null, JSON.stringify(next.body));
      return { changed: true, body: next.body };
    });
  }

  async addActions(account: string, hour: string, count: number) {
    // A single upsert statement is atomic on its own.
    this.db
      .prepare('INSERT INTO action_counts (account, hour, count) VALUES (?, ?, ?) ON CONFLICT (account, hour) DO UPDATE SET count = count + excluded.count')
      .run(account, hour, count);
  }

  async reserveActions(account: string, hour: string, count: number, cap: number) {
    // One upsert statement is atomic: the insert happens only within the cap, the update only if the sum stays within it.
    const result = this.db
      .prepare(
        'INSERT INTO action_counts (account, hour, count) SELECT ?, ?, ? WHERE ? <= ? ON CONFLICT (account, hour) DO UPDATE SET count = count + excluded.count WHERE count + excluded.count <= ?',
      )
      .run(account, hour, count, count, cap, cap);
    return Number(result.changes) === 1;
  }

  async sumActions(account: string, fromHour: string) {
    const row = this.db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM action_counts WHERE account = ? AND hour >= ?').get(account, fromHour);
    return Number(row?.n ?? 0);
  }

  async close() {
    if (this.db.isOpen) this.db.close();
  }
}

/** The local case store: `$CORDON_HOME/cordon.db`. */
export class SqliteCaseStore extends DocumentCaseStore {
  constructor(readonly path: string) {
    super(new SqliteRecordTable(path));
  }

  static inHome(home: string): SqliteCaseStore {
    return new SqliteCaseStore(join(home, 'cordon.db'));
  }
}
