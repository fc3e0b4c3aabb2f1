import { isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client address rate limits count against. From the socket, unless `trustedHops` proxies
 * (a load balancer, a CDN) stand in front: each appends the address it received from to
 * X-Forwarded-For, so the client is that many entries from the right of
 * `X-Forwarded-For + socket`; anything further left was written by the client and is not trusted.
 */
export function clientIp(c: Context, trustedHops: number): string {
  const socket = socketAddress(c);
  if (trustedHops === 0) return rateKey(socket);
  const forwarded = (c.req.header('X-Forwarded-For') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, socket];
  return rateKey(chain[Math.max(0, chain.length - 1 - trustedHops)] ?? socket);
}

/** The peer of the connection; "unknown" where there is none (in-process requests). */
function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * One key per client: an IPv4-mapped address is its IPv4 address, and an IPv6 address counts by
 * its /64, the block one subscriber gets (a client must not get a new budget per address).
 */
function rateKey(address: string): string {
  const ip = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
