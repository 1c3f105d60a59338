export { HISTORY_SCHEMA_VERSION, openHistory } from './store.js';
export type { AddScanOptions, HistoryStore, OpenHistoryOptions, ScanListEntry, StoredScan } from './store.js';
