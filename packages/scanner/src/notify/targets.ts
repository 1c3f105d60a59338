/**
 * `--notify URL` syntax (pure). Documented in `xmscan scan --help` (cli/notify.ts):
 *
 *   http(s)://host/path                 generic JSON webhook (POST application/json)
 *   http(s)://host/api/webhook/<id>     Home Assistant webhook (detected by the path)
 *   ha+http(s)://host/path              Home Assistant, whatever the path
 *   webhook+http(s)://host/path         generic JSON webhook, whatever the path
 *   ntfy://host/topic                   ntfy over https (ntfy://ntfy.sh/my-topic)
 *   ntfy+http(s)://host[:port]/topic    ntfy over the given scheme (self-hosted, plain http on a LAN)
 *
 * User info becomes an Authorization header and is dropped from the URL: `user:pass@` → Basic,
 * `:token@` (empty user; ntfy `tk_…` access tokens) → Bearer.
 */
import { NotifyError } from './errors.js';
import type { NotifyTarget } from './types.js';

const MAX_URL_LENGTH = 2048;
const HA_PATH = /^\/api\/webhook\/[^/]+\/?$/;

function fail(message: string): never {
  throw new NotifyError('SCAN_ERR_NOTIFY_URL', message);
}

function authorizationOf(u: URL): string | undefined {
  if (u.username === '' && u.password === '') return undefined;
  let user: string;
  let pass: string;
  try {
    user = decodeURIComponent(u.username);
    pass = decodeURIComponent(u.password);
  } catch {
    fail('--notify: the user info of the URL is not valid percent-encoding');
  }
  if (user === '') return `Bearer ${pass}`;
  return `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
}

/** How a target is named in logs and errors: the path (topic, webhook id, tokens in paths) is masked. */
export function displayTarget(kind: NotifyTarget['kind'], url: URL): string {
  const hidden = url.pathname !== '/' && url.pathname !== '' ? '/***' : '/';
  const path = kind === 'homeassistant' ? '/api/webhook/***' : hidden;
  return `${kind} ${url.protocol}//${url.host}${path}`;
}

/**
 * Parse one `--notify` value. Throws NotifyError `SCAN_ERR_NOTIFY_URL` (a usage error: the CLI exits 2
 * before anything is scanned). The message never repeats the URL: it may hold a token.
 */
export function parseNotifyUrl(input: string): NotifyTarget {
  const raw = input.trim();
  if (raw.length === 0) fail('--notify needs a URL');
  if (raw.length > MAX_URL_LENGTH) fail(`--notify URL is longer than ${MAX_URL_LENGTH} characters`);
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (!m) fail('--notify must be an absolute URL such as https://host/path or ntfy://ntfy.sh/topic');
  const scheme = m[1]!.toLowerCase();
  let kind: NotifyTarget['kind'] | 'auto';
  let protocol: 'http:' | 'https:';
  switch (scheme) {
    case 'http':
    case 'https':
      kind = 'auto';
      protocol = `${scheme}:`;
      break;
    case 'ntfy':
      kind = 'ntfy';
      protocol = 'https:';
      break;
    case 'ntfy+http':
    case 'ntfy+https':
    case 'ha+http':
    case 'ha+https':
    case 'webhook+http':
    case 'webhook+https': {
      const [k, p] = scheme.split('+') as [string, 'http' | 'https'];
      kind = k === 'ha' ? 'homeassistant' : (k as 'ntfy' | 'webhook');
      protocol = `${p}:`;
      break;
    }
    default:
      fail(`--notify: unsupported scheme "${scheme.slice(0, 20)}" (use http, https, ntfy, ntfy+http(s), ha+http(s), webhook+http(s))`);
  }
  let parsed: URL;
  try {
    // Re-parse with the real scheme so host, port and path follow the http(s) rules.
    parsed = new URL(`${protocol}//${raw.slice(m[0].length)}`);
  } catch {
    fail('--notify: not a valid URL');
  }
  if (parsed.hostname === '') fail('--notify: the URL has no host');
  const authorization = authorizationOf(parsed);
  const url = new URL(parsed.href);
  url.username = '';
  url.password = '';
  url.hash = '';
  if (kind === 'auto') kind = HA_PATH.test(url.pathname) ? 'homeassistant' : 'webhook';
  if (kind === 'ntfy' && !/^\/[^/]+/.test(url.pathname)) fail('--notify: an ntfy URL needs a topic, e.g. ntfy://ntfy.sh/my-topic');
  if (kind === 'homeassistant' && (url.pathname === '/' || url.pathname === '')) {
    fail('--notify: a Home Assistant URL needs the webhook path, e.g. http://homeassistant.local:8123/api/webhook/<id>');
  }
  const target: NotifyTarget = { kind, url, display: displayTarget(kind, url) };
  if (authorization !== undefined) target.authorization = authorization;
  return target;
}
