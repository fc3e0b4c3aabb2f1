import type { Redis } from 'ioredis';

/**
 * Per-endpoint send rate (WhatsApp and Twilio limit messages per second per number). One slot
 * every 1/rate seconds; a caller that finds the next slot in the future is told how long to wait
 * and delays its job, never blocking a worker. State lives in Redis; losing it only resets the pace.
 */
const script = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_at > now then return next_at - now end
redis.call('SET', KEYS[1], now + interval, 'PX', math.max(interval * 2, 1000))
return 0`;

export type SendRateLimiter = (endpointId: string, ratePerSecond: number) => Promise<number>;

export function redisSendRateLimiter(
  redis: Redis,
  prefix: string,
  now: () => number = Date.now,
): SendRateLimiter {
  return async (endpointId, ratePerSecond) => {
    const interval = Math.max(1, Math.round(1000 / ratePerSecond));
    const wait = await redis.eval(script, 1, `${prefix}:send-rate:${endpointId}`, now(), interval);
    return Number(wait);
  };
}
