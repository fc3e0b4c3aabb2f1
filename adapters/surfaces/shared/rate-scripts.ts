/**
 * The two Redis scripts behind place-limits.ts. Each runs atomically, so workers sharing Redis
 * take slots and set holds without racing. Under Redis Cluster every key of one call must hash
 * to one slot: the keys all start with the deployment's prefix, which is hash-tagged there.
 */

/**
 * One slot in several windows at once, or none. A window is kept one of two ways:
 * - GCRA (kind 0): KEYS[i] holds its theoretical arrival time (tat). It allows a slot when, after
 *   adding one interval, the tat is within `room` intervals of now (`room` is the burst).
 * - a sliding log (kind 1): KEYS[i] is a list of the times of its latest `limit` slots, newest
 *   first. It allows a slot when fewer than `room` of them fall in the last `span` ms, i.e. when
 *   the room-th newest is at least `span` old. Times pushed never go back (a worker whose clock is
 *   behind pushes the newest time again), so the list stays in order and the room-th newest is
 *   the room-th latest.
 * ARGV[1]: now (ms); then 4 values per window: kind, span (GCRA: the interval; sliding: the
 * period), limit (sliding: how many times the log keeps), room (what this call may fill: the
 * burst or the limit, less for a call that leaves a reserve to others). The slot is taken only
 * when every window allows it; otherwise nothing is written and the answer is { the longest
 * wait, the window that asks for it (1-based) }.
 */
/**
 * PACE_SCRIPT's body, also run inside the waiting line's script (waiting-line.ts), which has keys
 * and arguments of its own after (PACE_EXTRA_KEYS) and before (PACE_ARG_SHIFT) the pace's.
 */
export const PACE_BODY = `
local now = tonumber(ARGV[1])
local n = #KEYS - PACE_EXTRA_KEYS
local wait, which = 0, 0
local tats = {}
for i = 1, n do
  local at = 1 + PACE_ARG_SHIFT + (i - 1) * 4
  local span, room = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 4])
  local over
  if ARGV[at + 1] == '1' then
    local t = redis.call('LINDEX', KEYS[i], room - 1)
    over = t and (tonumber(t) + span - now) or 0
  else
    local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now)
    over = tat + span - now - room * span
    tats[i] = tat
  end
  if over > wait then wait, which = over, i end
end
if wait > 0 then return {wait, which} end
for i = 1, n do
  local at = 1 + PACE_ARG_SHIFT + (i - 1) * 4
  local span, limit = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  if ARGV[at + 1] == '1' then
    local t = math.max(now, tonumber(redis.call('LINDEX', KEYS[i], 0) or '0'))
    redis.call('LPUSH', KEYS[i], t)
    redis.call('LTRIM', KEYS[i], 0, limit - 1)
    redis.call('PEXPIRE', KEYS[i], t - now + span)
  else
    local new_tat = tats[i] + span
    redis.call('SET', KEYS[i], new_tat, 'PX', new_tat - now + span)
  end
end
return {0, 0}`;

export const PACE_SCRIPT = `local PACE_EXTRA_KEYS, PACE_ARG_SHIFT = 0, 0\n${PACE_BODY}`;

/**
 * Holds a scope after a 429. KEYS[1]: the scope's hold (until when, ms); KEYS[2]: its back-off
 * step. ARGV: now, the wait the platform named ('' when none), back-off first, max, factor.
 * Without a named wait the step goes up by one and the wait is first * factor^(step-1), at most
 * max; the step is remembered for the wait plus max (a success clears it before that). A hold
 * already further away is kept. Returns the wait from now (ms).
 */
export const HOLD_SCRIPT = `
local now = tonumber(ARGV[1])
local wait = tonumber(ARGV[2])
if not wait then
  local first, max, factor = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local step = redis.call('INCR', KEYS[2])
  wait = math.min(max, first * factor ^ (step - 1))
  redis.call('PEXPIRE', KEYS[2], math.floor(wait) + max)
end
wait = math.max(math.floor(wait), 1)
local untl = math.max(now + wait, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], untl, 'PX', untl - now + 1000)
return untl - now`;
