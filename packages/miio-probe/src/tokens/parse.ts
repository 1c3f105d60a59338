/**
 * Pure parsers for the token files users already have (peers.md §1A, §2 items 6-8, §4 item 4).
 * Text in, entries out; the format is auto-detected. All-or-nothing: structural problems and bad
 * entries in user-written formats throw TokensFileError; records that are legitimately not miIO
 * devices in cloud dumps (BLE / Zigbee sub-devices without a 32-hex token) are listed in `skipped`.
 * Error messages never quote file content, so a token cannot leak through them.
 */
import { Token } from '../codec/token.js';
import { TokensFileError } from './errors.js';
import { classifyKey, isIPv4, normaliseDeviceId, normaliseMac } from './normalise.js';
import type { ParsedTokenFile, SkippedTokenRecord, TokenEntry, TokenFileFormat } from './types.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Upper bound on records per file: a home has tens of devices; this stops pathological input. */
export const MAX_TOKEN_RECORDS = 10_000;

interface Ctx {
  file: string;
  format: TokenFileFormat;
  entries: TokenEntry[];
  skipped: SkippedTokenRecord[];
}

function err(ctx: { file: string; format?: TokenFileFormat }, problem: 'malformed' | 'bad-entry' | 'unknown-format', detail: string, where: { index?: number; line?: number } = {}): TokensFileError {
  return new TokensFileError({ file: ctx.file, problem, detail, format: ctx.format, ...where });
}

/** Strip a BOM and ANSI colour codes (the extractor prints coloured text). */
function cleanInput(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/^\uFEFF/, '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** JSON.parse without ever surfacing its message: V8's includes a slice of the input (maybe a token). */
function parseJson(text: string): { value: Json } | { position: number | undefined } {
  try {
    return { value: JSON.parse(text) as Json };
  } catch (e) {
    const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
    return { position: m ? Number(m[1]) : undefined };
  }
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Detection

/** Which format a parsed JSON document is. */
function detectJson(value: Json): TokenFileFormat | null {
  if (isObj(value)) {
    if (value['key'] === 'core.config_entries' || (isObj(value['data']) && Array.isArray(value['data']['entries']))) return 'home-assistant';
    if (Array.isArray(value['homes'])) return 'extractor-json';
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => /^\d{1,10}$/.test(k)) && keys.every((k) => typeof value[k] === 'string')) return 'node-miio';
    return 'native-json';
  }
  if (Array.isArray(value)) {
    const objs = value.filter(isObj);
    if (objs.some((o) => Array.isArray(o['homes']))) return 'extractor-json';
    // Raw cloud records carry fields a hand-written file would not (micloud device_list).
    if (objs.some((o) => 'localip' in o || 'isOnline' in o || 'pid' in o || 'parent_id' in o || 'ssid' in o)) return 'miiocli-cloud';
    return 'native-json';
  }
  return null;
}

function looksLikeExtractorText(text: string): boolean {
  return /^[ \t]*TOKEN:/m.test(text) && /^[ \t]*(NAME|ID):/m.test(text);
}

/** Detect the format of a file's text; null when it is none of the known ones. */
export function detectTokenFileFormat(text: string): TokenFileFormat | null {
  const t = cleanInput(text).trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    const parsed = parseJson(t);
    return 'value' in parsed ? detectJson(parsed.value) : null;
  }
  if (looksLikeExtractorText(t)) return 'extractor-text';
  if (/[,;\t]/.test(t.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '')) return 'native-csv';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Entry building

function str(v: Json | undefined, max = 200): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return s === '' ? undefined : s.slice(0, max);
}

function first(o: Obj, names: readonly string[]): Json | undefined {
  for (const n of names) if (o[n] !== undefined && o[n] !== null && o[n] !== '') return o[n];
  return undefined;
}

const F = {
  token: ['token'],
  deviceId: ['did', 'deviceId', 'device_id', 'deviceid', 'id'],
  mac: ['mac', 'macAddress', 'mac_address'],
  ip: ['ip', 'localip', 'localIp', 'host', 'address'],
  model: ['model'],
  name: ['name', 'title'],
} as const;

function tokenProblem(v: Json | undefined): string | null {
  if (v === undefined) return 'has no token';
  if (typeof v !== 'string') return 'token is not a string';
  const t = v.trim();
  if (Token.isHex(t)) return null;
  return `token is not 32 hex characters (${t.length} characters)`;
}

function addIdentity(entry: TokenEntry, o: { deviceId?: Json | undefined; mac?: Json | undefined; ip?: Json | undefined; model?: Json | undefined; name?: Json | undefined }): void {
  const did = normaliseDeviceId(o.deviceId ?? undefined);
  if (did !== undefined) entry.deviceId = did;
  const mac = normaliseMac(o.mac ?? undefined);
  if (mac !== undefined) entry.mac = mac;
  const ip = str(o.ip, 253);
  if (ip !== undefined) {
    if (isIPv4(ip)) entry.ip = ip;
    else if (/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(ip)) entry.host = ip;
  }
  const model = str(o.model, 100);
  if (model !== undefined) entry.model = model;
  const name = str(o.name, 200);
  if (name !== undefined) entry.name = name;
}

/**
 * A cloud record (extractor JSON, `miiocli cloud list --raw`, extractor text). Wi-Fi devices have
 * a uint32 `did` and a 32-hex token; BLE (`blt.…`) and Zigbee (`lumi.…`) sub-devices do not and are
 * skipped with a reason, since they never speak miIO on the LAN.
 */
function addCloudRecord(ctx: Ctx, index: number, rec: Obj): void {
  const rawDid = first(rec, F.deviceId);
  const model = str(rec['model'], 100);
  const skip = (reason: string): void => {
    const s: SkippedTokenRecord = { index, reason };
    const d = str(rawDid, 64);
    if (d !== undefined) s.deviceId = d;
    if (model !== undefined) s.model = model;
    ctx.skipped.push(s);
  };
  const problem = tokenProblem(first(rec, F.token));
  if (normaliseDeviceId(rawDid) === undefined) {
    skip(rawDid === undefined ? 'no device id' : 'device id is not a miIO (uint32) id: sub-device or BLE');
    return;
  }
  if (problem) {
    skip(problem);
    return;
  }
  const entry: TokenEntry = {
    token: Token.fromHex(String(first(rec, F.token)).trim()),
    source: { file: ctx.file, format: ctx.format, index },
  };
  addIdentity(entry, { deviceId: rawDid, mac: first(rec, F.mac), ip: first(rec, F.ip), model: rec['model'], name: rec['name'] });
  ctx.entries.push(entry);
}

/** A record of a user-written file: every problem is an error (the user can fix it). */
function addStrictRecord(ctx: Ctx, index: number, fields: { token: Json | undefined; deviceId?: Json | undefined; mac?: Json | undefined; ip?: Json | undefined; model?: Json | undefined; name?: Json | undefined }, where: { index?: number; line?: number }): void {
  const problem = tokenProblem(fields.token);
  if (problem) throw err(ctx, 'bad-entry', problem, where);
  if (fields.deviceId !== undefined && normaliseDeviceId(fields.deviceId) === undefined) {
    throw err(ctx, 'bad-entry', 'device id is not a decimal uint32', where);
  }
  if (fields.mac !== undefined && normaliseMac(fields.mac) === undefined) throw err(ctx, 'bad-entry', 'MAC is not 6 hex octets', where);
  const entry: TokenEntry = { token: Token.fromHex(String(fields.token).trim()), source: { file: ctx.file, format: ctx.format, index } };
  addIdentity(entry, fields);
  if (fields.ip !== undefined && entry.ip === undefined && entry.host === undefined) throw err(ctx, 'bad-entry', 'IP is not an IPv4 address or host name', where);
  if (entry.deviceId === undefined && entry.mac === undefined && entry.ip === undefined && entry.host === undefined) {
    throw err(ctx, 'bad-entry', 'needs a device id, MAC or IP to match the token to a device', where);
  }
  ctx.entries.push(entry);
}

// ---------------------------------------------------------------------------------------------
// Format parsers (value already JSON-parsed where applicable)

function parseExtractorJson(ctx: Ctx, value: Json): void {
  const servers = Array.isArray(value) ? value : [value];
  let index = 0;
  for (const [si, server] of servers.entries()) {
    if (!isObj(server) || !Array.isArray(server['homes'])) throw err(ctx, 'malformed', `server ${si} has no "homes" list`);
    for (const [hi, home] of server['homes'].entries()) {
      if (!isObj(home)) throw err(ctx, 'malformed', `server ${si} home ${hi} is not an object`);
      const devices = home['devices'] ?? [];
      if (!Array.isArray(devices)) throw err(ctx, 'malformed', `server ${si} home ${hi} "devices" is not a list`);
      for (const dev of devices) {
        if (!isObj(dev)) throw err(ctx, 'malformed', 'device record is not an object', { index });
        addCloudRecord(ctx, index++, dev);
      }
    }
  }
}

function parseCloudRaw(ctx: Ctx, value: Json): void {
  if (!Array.isArray(value)) throw err(ctx, 'malformed', 'expected a JSON list of cloud device records');
  value.forEach((dev, index) => {
    if (!isObj(dev)) throw err(ctx, 'malformed', 'device record is not an object', { index });
    addCloudRecord(ctx, index, dev);
  });
}

function parseNodeMiio(ctx: Ctx, value: Json): void {
  if (!isObj(value)) throw err(ctx, 'malformed', 'expected an object of deviceId → token');
  Object.entries(value).forEach(([did, token], index) => addStrictRecord(ctx, index, { token, deviceId: did }, { index }));
}

/** HA `.storage/core.config_entries`: `{ data: { entries: [ { domain, title, data: {host, token, model, mac} } ] } }`. */
function parseHomeAssistant(ctx: Ctx, value: Json): void {
  const entries = isObj(value) && isObj(value['data']) ? value['data']['entries'] : undefined;
  if (!Array.isArray(entries)) throw err(ctx, 'malformed', 'expected data.entries to be a list');
  let index = 0;
  for (const e of entries) {
    if (!isObj(e) || e['domain'] !== 'xiaomi_miio') continue;
    const i = index++;
    const data = e['data'];
    if (!isObj(data)) throw err(ctx, 'malformed', 'xiaomi_miio entry has no data object', { index: i });
    // A cloud-only or half-configured entry has no token: nothing to import, but say so.
    if (data['token'] === undefined || data['token'] === '' || data['token'] === null) {
      const s: SkippedTokenRecord = { index: i, reason: 'xiaomi_miio entry without a token' };
      const model = str(data['model'], 100);
      if (model !== undefined) s.model = model;
      ctx.skipped.push(s);
      continue;
    }
    addStrictRecord(
      ctx,
      i,
      { token: data['token'], ip: data['host'], mac: data['mac'] ?? (normaliseMac(e['unique_id'] ?? undefined) ? e['unique_id'] : undefined), model: data['model'], name: e['title'] },
      { index: i },
    );
  }
}

function parseNativeJson(ctx: Ctx, value: Json): void {
  const list = isObj(value) && Array.isArray(value['devices']) ? value['devices'] : value;
  if (Array.isArray(list)) {
    list.forEach((rec, index) => {
      if (!isObj(rec)) throw err(ctx, 'malformed', 'device record is not an object', { index });
      addStrictRecord(
        ctx,
        index,
        { token: first(rec, F.token), deviceId: first(rec, F.deviceId), mac: first(rec, F.mac), ip: first(rec, F.ip), model: rec['model'], name: rec['name'] },
        { index },
      );
    });
    return;
  }
  if (!isObj(list)) throw err(ctx, 'malformed', 'expected a list of devices or an object keyed by device id, MAC or IP');
  Object.entries(list).forEach(([key, v], index) => {
    const id = classifyKey(key);
    if (!id) throw err(ctx, 'bad-entry', 'key is not a device id, MAC or IPv4 address', { index });
    if (typeof v === 'string') {
      addStrictRecord(ctx, index, { token: v, ...id }, { index });
    } else if (isObj(v)) {
      addStrictRecord(ctx, index, { token: first(v, F.token), model: v['model'], name: v['name'], ...id }, { index });
    } else {
      throw err(ctx, 'bad-entry', 'value is neither a token string nor an object with a token', { index });
    }
  });
}

/**
 * Extractor printed blocks (EX-old), e.g.
 *   NAME:     Living room lamp
 *   ID:       123456789
 *   BLE KEY:  …      (ignored: never imported, never logged)
 *   MAC:      78:11:DC:12:34:56
 *   IP:       192.168.1.10
 *   TOKEN:    <32 hex>
 *   MODEL:    yeelink.light.color1
 * separated by `---------` lines; banner lines (`Devices found for server …`) are ignored.
 */
function parseExtractorText(ctx: Ctx, text: string): void {
  const lines = text.split(/\r?\n/);
  let block: Record<string, string> | null = null;
  let index = 0;
  const flush = (): void => {
    if (block && (block['ID'] !== undefined || block['TOKEN'] !== undefined)) {
      addCloudRecord(ctx, index++, { did: block['ID'] ?? null, token: block['TOKEN'] ?? null, mac: block['MAC'] ?? null, localip: block['IP'] ?? null, model: block['MODEL'] ?? null, name: block['NAME'] ?? null });
    }
    block = null;
  };
  lines.forEach((raw) => {
    const line = raw.trim();
    if (/^-{3,}$/.test(line) || line === '') {
      if (/^-{3,}$/.test(line)) flush();
      return;
    }
    const m = /^(NAME|ID|BLE KEY|MAC|IP|TOKEN|MODEL|DID|LOCALIP)\s*:\s*(.*)$/.exec(line);
    if (!m) return; // headings and other prose
    const key = m[1] === 'DID' ? 'ID' : m[1] === 'LOCALIP' ? 'IP' : m[1]!;
    if (key === 'NAME' && block && block['NAME'] !== undefined) flush();
    if (block && block[key] !== undefined && key !== 'BLE KEY') flush();
    block ??= {};
    if (key !== 'BLE KEY') block[key] = m[2]!.trim();
  });
  flush();
}

/** Split one CSV line; supports "quoted, fields" with "" escapes. */
function splitCsv(line: string, sep: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  // Tracked, not recomputed with cur.trim() per quote: that was O(n²) on a long line full of quotes.
  let curBlank = true;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        curBlank = cur.trim() === ''; // once per quoted field: linear overall
      } else cur += c;
    } else if (c === '"' && curBlank) {
      quoted = true;
      cur = '';
      curBlank = false;
    } else if (c === sep) {
      out.push(cur.trim());
      cur = '';
      curBlank = true;
    } else {
      cur += c;
      if (curBlank && !/\s/.test(c)) curBlank = false;
    }
  }
  if (quoted) return null;
  out.push(cur.trim());
  return out;
}

const CSV_COLUMNS: Record<string, 'token' | 'deviceId' | 'mac' | 'ip' | 'model' | 'name'> = {
  token: 'token',
  did: 'deviceId',
  deviceid: 'deviceId',
  device_id: 'deviceId',
  id: 'deviceId',
  mac: 'mac',
  ip: 'ip',
  host: 'ip',
  address: 'ip',
  localip: 'ip',
  model: 'model',
  name: 'name',
};

/**
 * Native CSV. With a header row naming a `token` column (plus did/mac/ip/model/name columns), or
 * without one as `key,token[,model[,name]]` where key is a device id, MAC or IPv4. `#` comments
 * and blank lines are ignored; `,`, `;` or tab separate.
 */
function parseNativeCsv(ctx: Ctx, text: string): void {
  const lines = text.split(/\r?\n/);
  const firstIdx = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (firstIdx < 0) return;
  const firstLine = lines[firstIdx]!;
  const sep = [',', ';', '\t'].find((s) => firstLine.includes(s)) ?? ',';
  const headerCells = splitCsv(firstLine, sep)?.map((c) => c.toLowerCase()) ?? [];
  const hasHeader = headerCells.includes('token');
  let columns: ((typeof CSV_COLUMNS)[string] | null)[] = [];
  if (hasHeader) {
    columns = headerCells.map((c) => CSV_COLUMNS[c] ?? null);
    if (!columns.some((c) => c === 'deviceId' || c === 'mac' || c === 'ip')) {
      throw err(ctx, 'malformed', 'CSV header needs a did, mac or ip column next to token', { line: firstIdx + 1 });
    }
  }
  let index = 0;
  for (let i = hasHeader ? firstIdx + 1 : firstIdx; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = { line: i + 1 };
    const cells = splitCsv(line, sep);
    if (!cells) throw err(ctx, 'malformed', 'unterminated quoted field', where);
    if (++index > MAX_TOKEN_RECORDS) throw err(ctx, 'malformed', `more than ${MAX_TOKEN_RECORDS} rows`, where);
    if (hasHeader) {
      if (cells.length > columns.length) throw err(ctx, 'malformed', `row has ${cells.length} fields, header has ${columns.length}`, where);
      const rec: Record<string, string> = {};
      cells.forEach((cell, c) => {
        const col = columns[c];
        if (col && cell !== '') rec[col] = cell;
      });
      addStrictRecord(ctx, index - 1, { token: rec['token'], deviceId: rec['deviceId'], mac: rec['mac'], ip: rec['ip'], model: rec['model'], name: rec['name'] }, where);
    } else {
      if (cells.length < 2 || cells.length > 4) throw err(ctx, 'malformed', 'expected key,token[,model[,name]]', where);
      const id = classifyKey(cells[0]!);
      if (!id) throw err(ctx, 'bad-entry', 'first field is not a device id, MAC or IPv4 address', where);
      addStrictRecord(ctx, index - 1, { token: cells[1], model: cells[2] || undefined, name: cells[3] || undefined, ...id }, where);
    }
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Parse a tokens file's text. `format` forces a format instead of detecting it. Throws
 * TokensFileError (MIIO_ERR_TOKENS_FILE) on anything unusable; never returns a partial import
 * of a broken file. An empty result is an error too (`problem: 'empty'`).
 */
export function parseTokenFile(text: string, file: string, options: { format?: TokenFileFormat } = {}): ParsedTokenFile {
  if (typeof text !== 'string') throw new TokensFileError({ file, problem: 'malformed', detail: 'content is not text' });
  if (text.includes('\u0000')) throw new TokensFileError({ file, problem: 'malformed', detail: 'content is binary, not text' });
  const cleaned = cleanInput(text).trim();
  if (cleaned === '') throw new TokensFileError({ file, problem: 'empty', detail: 'file is empty' });
  const isJson = cleaned.startsWith('{') || cleaned.startsWith('[');
  let json: Json | undefined;
  if (isJson) {
    const parsed = parseJson(cleaned);
    if (!('value' in parsed)) {
      const at = parsed.position !== undefined ? ` near line ${lineOf(cleaned, parsed.position)}` : '';
      throw new TokensFileError({ file, problem: 'malformed', detail: `invalid JSON${at}`, format: options.format });
    }
    json = parsed.value;
  }
  const format = options.format ?? (json !== undefined ? detectJson(json) : looksLikeExtractorText(cleaned) ? 'extractor-text' : detectTokenFileFormat(cleaned));
  if (!format) {
    throw new TokensFileError({
      file,
      problem: 'unknown-format',
      detail: 'not a known tokens format (extractor JSON/text, miiocli cloud --raw, node-miio tokens.json, Home Assistant core.config_entries, CSV or JSON)',
    });
  }
  const ctx: Ctx = { file, format, entries: [], skipped: [] };
  const needJson = format !== 'extractor-text' && format !== 'native-csv';
  if (needJson && json === undefined) throw err(ctx, 'malformed', 'expected JSON');
  switch (format) {
    case 'extractor-json':
      parseExtractorJson(ctx, json!);
      break;
    case 'miiocli-cloud':
      parseCloudRaw(ctx, json!);
      break;
    case 'node-miio':
      parseNodeMiio(ctx, json!);
      break;
    case 'home-assistant':
      parseHomeAssistant(ctx, json!);
      break;
    case 'native-json':
      parseNativeJson(ctx, json!);
      break;
    case 'extractor-text':
      parseExtractorText(ctx, cleaned);
      break;
    case 'native-csv':
      parseNativeCsv(ctx, cleaned);
      break;
  }
  if (ctx.entries.length + ctx.skipped.length > MAX_TOKEN_RECORDS) throw err(ctx, 'malformed', `more than ${MAX_TOKEN_RECORDS} records`);
  if (ctx.entries.length === 0) {
    const why = ctx.skipped.length > 0 ? ` (${ctx.skipped.length} record(s) skipped: ${[...new Set(ctx.skipped.map((s) => s.reason))].join('; ')})` : '';
    throw new TokensFileError({ file, problem: 'empty', format, detail: `no usable miIO tokens${why}` });
  }
  return { file, format, entries: ctx.entries, skipped: ctx.skipped };
}
