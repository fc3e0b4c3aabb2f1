/**
 * A place's waiting line (DESIGN 5): when many callers wait for one place's slots (a broadcast
 * opening thousands of threads in one Slack channel), each is given its own turn instead of the
 * same next slot. Without it every waiting mirror job wakes at once, one wins and the others are
 * delayed again, and the re-runs crowd out every other place's work.
 *
 * The line is a sorted set of waiter ids (a conversation) in arrival order, with, per waiter, when
 * it is expected back. A waiter first in line takes the place's slot as any call does; one further
 * back is told to come back after its predecessors' turns (rank × interval). A waiter that does not
 * come back within the grace after its turn (its job lost, its conversation deleted) leaves the
 * line, so it never blocks the others for more than the grace. Only thread openings wait in line
 * (Slack's new thread, Teams' new channel post): a post into an existing thread takes the place's
 * slots directly, so a customer's message there is never behind a broadcast's thousands of openings.
 *
 * KEYS: the pace keys (as PACE_SCRIPT), then the line (zset), the expected-back hash, the arrival
 * counter. ARGV: now, waiter, interval ms, grace ms, then PACE_SCRIPT's 4 values per window.
 * Answers as PACE_SCRIPT: { wait, window (1-based; 0 when the line, not a window, asks it) }.
 */
export function waitingLineScript(paceBody: string): string {
  return `
local n = #KEYS - 3
local line, back, seq = KEYS[n + 1], KEYS[n + 2], KEYS[n + 3]
local now, waiter = tonumber(ARGV[1]), ARGV[2]
local interval, grace = tonumber(ARGV[3]), tonumber(ARGV[4])
local PACE_EXTRA_KEYS, PACE_ARG_SHIFT = 3, 3
local function pace()
  ${paceBody}
end
-- Waiters overdue past their grace leave the line, from its head.
while true do
  local head = redis.call('ZRANGE', line, 0, 0)[1]
  if not head then break end
  local due = tonumber(redis.call('HGET', back, head) or '0')
  if due >= now then break end
  redis.call('ZREM', line, head)
  redis.call('HDEL', back, head)
end
local rank = redis.call('ZRANK', line, waiter)
local wait, which = 0, 0
if not rank and redis.call('ZCARD', line) == 0 then
  local r = pace()
  if r[1] == 0 then return r end
  wait, which = r[1], r[2]
elseif rank == 0 then
  local r = pace()
  if r[1] == 0 then
    redis.call('ZREM', line, waiter)
    redis.call('HDEL', back, waiter)
    return r
  end
  wait, which = r[1], r[2]
end
if not rank then
  redis.call('ZADD', line, redis.call('INCR', seq), waiter)
  rank = redis.call('ZRANK', line, waiter)
end
if rank > 0 then wait, which = math.max(wait, rank * interval), 0 end
redis.call('HSET', back, waiter, now + wait + grace)
local ttl = wait + grace + 60000
for _, k in ipairs({line, back, seq}) do
  if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
end
return {wait, which}`;
}
