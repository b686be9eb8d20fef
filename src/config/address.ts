import { isIP } from 'node:net';

import { ClaroError } from '../errors.js';

/** Where a server listens: `host:port` as Go's `net.Listen` reads it. */
export interface ListenAddr {
  /** A name or IP address; empty means every interface (`:6060`). */
  readonly host: string;
  /** 0 asks the system for a free port. */
  readonly port: number;
}

/**
 * An RFC 1123 host name: at most 253 characters of dot-separated labels,
 * each 1 to 63 letters, digits or inner `-`.
 */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const isHostName = (host: string): boolean =>
  host.length <= 253 && host.split('.').every((l) => LABEL.test(l));
const PORT = /^\d{1,5}$/;

/**
 * Parses `host:port`, `[ipv6]:port` or `:port`. Throws INVALID_ARGUMENT
 * naming the text when the host or port is malformed.
 */
export function parseListenAddr(text: string): ListenAddr {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw invalid(text, 'expected host:port');

  const host = unbracket(text, text.slice(0, colon));
  const port = text.slice(colon + 1);
  if (!PORT.test(port) || Number(port) > 65535) {
    throw invalid(text, 'the port must be a number from 0 to 65535');
  }
  if (host !== '' && !isHostName(host) && isIP(host) === 0) {
    throw invalid(text, `"${host}" is not a host name or IP address`);
  }
  return { host, port: Number(port) };
}

/** `host:port`, with an IPv6 address in brackets (RFC 3986 §3.2.2). */
export function formatListenAddr(addr: ListenAddr): string {
  const host = isIP(addr.host) === 6 ? `[${addr.host}]` : addr.host;
  return `${host}:${addr.port}`;
}

function unbracket(text: string, host: string): string {
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    if (isIP(inner) === 6) return inner;
    throw invalid(text, `"${inner}" is not an IPv6 address`);
  }
  if (isIP(host) === 6 || host.includes(':')) {
    throw invalid(text, 'write an IPv6 address in brackets: [::1]:6060');
  }
  return host;
}

function invalid(text: string, reason: string): ClaroError {
  return new ClaroError(
    'INVALID_ARGUMENT',
    `Cannot parse address "${text}": ${reason}`,
  );
}
