/**
 * Serve-mode access rules (conventions.md §7): a random token; `?token=` on first load becomes an HttpOnly
 * SameSite=Strict cookie; pages, images and the WebSocket upgrade need that cookie or `Authorization: Bearer`; the
 * WebSocket also needs an Origin of the page itself. On loopback the Host header must name a loopback address, so a
 * DNS-rebound name cannot reach the server from a web page.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export const COOKIE_NAME = 'newbie_studio_token';

/**
 * The cookie's name for the server on `port`: `newbie_studio_token_<port>`. Browsers keep cookies per host, not per
 * port, so one name would let a second studio on another port overwrite the first one's cookie (its tab then gets 401).
 */
export function cookieName(port: number): string {
  return `${COOKIE_NAME}_${port}`;
}

/** 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a bind host is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `host:port` as it appears in URLs and Host headers (IPv6 bracketed). */
export function hostPort(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${h}:${port}`;
}

/** Constant-time token comparison. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer …` or from the cookie of the server on `port`, if any. */
export function presentedToken(headers: IncomingHttpHeaders, port: number): string | undefined {
  const auth = headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName(port)) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value that carries the token (no Max-Age: it ends with the browser session). */
export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export interface HostPolicy {
  port: number;
  /** Bound to a non-loopback address with --allow-remote: any Host is accepted (the token still applies). */
  remote: boolean;
}

/** Whether the Host header names this server (loopback names only, unless remote). */
export function hostAllowed(policy: HostPolicy, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  if (policy.remote) return true;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  if (!m) return false;
  return isLoopbackHost(m[1]!) && Number(m[2] ?? 80) === policy.port;
}

/** Whether a WebSocket's Origin is the page this server serves (same scheme, host and port as the Host header). */
export function originAllowed(policy: HostPolicy, headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  const host = headers.host;
  if (!origin || !hostAllowed(policy, host)) return false;
  return origin.toLowerCase() === `http://${host!.toLowerCase()}`;
}
