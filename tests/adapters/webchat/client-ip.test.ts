import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../../adapters/channels/webchat/client-ip.ts';
import { fromSocket } from './harness.ts';

/** Issue 9, item 6: the address rate limits count against (README, "Webchat": "Limits"). */
const app = (hops: number) => new Hono().get('/ip', (c) => c.text(clientIp(c, hops)));
const ipOf = async (hops: number, socket: string | undefined, forwarded?: string) =>
  (
    await app(hops).request(
      '/ip',
      { headers: forwarded ? { 'X-Forwarded-For': forwarded } : {} },
      fromSocket(socket),
    )
  ).text();

describe('the client address of a webchat request', () => {
  it('R33: is the socket’s by default; X-Forwarded-For is the client’s own word and is ignored', async () => {
    expect(await ipOf(0, '203.0.113.5', '1.2.3.4')).toBe('203.0.113.5');
    expect(await ipOf(0, '::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(await ipOf(0, undefined)).toBe('unknown');
  });

  it('R33: behind trusted proxies, it is the entry the outermost trusted proxy wrote, not what the client prepended', async () => {
    // One proxy (the socket peer) appended the client's address; "6.6.6.6" was sent by the client.
    expect(await ipOf(1, '10.0.0.2', '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
    // Two proxies: a CDN wrote the client, the load balancer wrote the CDN.
    expect(await ipOf(2, '10.0.0.2', '6.6.6.6, 198.51.100.7, 172.16.0.9')).toBe('198.51.100.7');
    // A request that reached Parley without the header counts by its socket.
    expect(await ipOf(1, '198.51.100.8')).toBe('198.51.100.8');
  });

  it('R33: an IPv6 client counts by its /64, so new addresses of one subscriber share one budget', async () => {
    expect(await ipOf(0, '2001:db8:1:2::abcd')).toBe('2001:db8:1:2::/64');
    expect(await ipOf(0, '2001:db8:1:2:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(await ipOf(0, '::1')).toBe('0:0:0:0::/64');
  });
});
