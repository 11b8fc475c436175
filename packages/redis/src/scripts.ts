import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA with a fallback to EVAL when a node lacks it. */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

// The scripts live here as strings, not as .lua files read at load time: the built
// package needs no file next to it, and bundlers (esbuild, webpack, ncc) carry them along.

/**
 * Shared by every script. Bookkeeping values, as the store writes them:
 * - a generation: decimal digits (server microseconds);
 * - a tag: "<version> <hardVersion> <refreshedAt>", versions in server microseconds,
 *   refreshedAt in server seconds (when its TTL was last set); 0.1 wrote "<v> <h>".
 * Anything else at such a key (another type, or a string of another shape) was not
 * written by the store: it is replaced and the key is listed in `repaired`, which the
 * script returns so the store can report it. Never trusted, never a Lua error.
 */
const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000.0 + tonumber(time[2])
local function fmt(n) return string.format('%.0f', n) end
local seconds = fmt(tonumber(time[1]))
local repaired = {}
-- A table built one item at a time is lost by ioredis-mock's Lua emulator; one built by a
-- constructor comes through there and on Redis alike (unpack is bounded by Lua's stack).
local function reply(list)
  if #list <= 1000 then return {unpack(list)} end
  return list
end
local function text(key)
  local value = redis.pcall('GET', key)
  if type(value) == 'string' then return value end
  if value then -- an error reply: WRONGTYPE, a key of another type
    redis.call('DEL', key)
    repaired[#repaired + 1] = key
  end
  return nil
end
local function generation(key)
  local value = text(key)
  if value == nil then return nil end
  if #value <= 16 and string.match(value, '^%d+$') then return tonumber(value) end
  repaired[#repaired + 1] = key
  return nil
end
-- Tag versions never go below what the tags' mark key (KEYS[#KEYS] where a script is
-- given it) says was handed out: a server clock that steps back (or an emulator's) cannot
-- give a tag a version below a mark taken before, nor a mark below a version given before.
local function above(markKey, floor)
  local last = generation(markKey) or 0
  if floor <= last then floor = last + 1 end
  return floor
end
local function tag(key)
  local value = text(key)
  if value == nil then return nil end
  if #value <= 60 then
    local v, h, r = string.match(value, '^(%d+) (%d+) (%d+)$')
    if not v then v, h = string.match(value, '^(%d+) (%d+)$') end
    if v and #v <= 16 and #h <= 16 and (r == nil or #r <= 16) then return tonumber(v), tonumber(h), value end
  end
  repaired[#repaired + 1] = key
  return nil
end
`;

function script(name: string, body: string): Script {
  const source = PRELUDE + body;
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Creates the bookkeeping a read found missing (or unreadable), and answers the current
 * values. A new value comes from the server clock, so it differs from every value the
 * key held before it was lost (flush, restart, eviction, expiry): what recorded an older
 * one reads stale, never fresh.
 * KEYS: ARGV[1] pairs (entry, generation), then tag keys, then (when ARGV[4] is '1',
 * whenever there are tag keys) the tags' mark key. ARGV[2] generation ttl ms, ARGV[3] tag
 * ttl ms. Returns the values in KEYS order (one per generation, one per tag), then the
 * server's seconds, then the repaired keys.
 */
export const ENSURE = script(
  'ensure',
  `
local pairs_ = tonumber(ARGV[1])
local values = {}
for i = 1, pairs_ * 2, 2 do
  local key = KEYS[i + 1]
  local current = generation(key)
  if current == nil then
    -- It outlives the entry it guards, so a hit never finds it missing.
    local ttl = math.max(tonumber(ARGV[2]), redis.call('PTTL', KEYS[i]))
    redis.call('SET', key, fmt(now), 'PX', ttl)
    values[#values + 1] = fmt(now)
  else
    values[#values + 1] = fmt(current)
  end
end
local last = #KEYS
local created = nil
if ARGV[4] == '1' then last = #KEYS - 1 end
for i = pairs_ * 2 + 1, last do
  local key = KEYS[i]
  local _, _, value = tag(key)
  if value == nil then
    if created == nil then created = above(KEYS[#KEYS], now) end
    value = fmt(created) .. ' ' .. fmt(created) .. ' ' .. seconds
    redis.call('SET', key, value, 'PX', ARGV[3])
  end
  values[#values + 1] = value
end
if created ~= nil then redis.call('SET', KEYS[#KEYS], fmt(created), 'PX', ARGV[3]) end
values[#values + 1] = seconds
for _, key in ipairs(repaired) do values[#values + 1] = key end
return reply(values)
`,
);

/**
 * Writes a load's entry only if the key's generation is still the one read before the
 * load: a load that began before a delete is never written after it (P2). A missing
 * generation refuses too: the read created it, so missing means Redis lost it (flush,
 * restart, failover, eviction) and the delete may have been lost with it.
 * KEYS[1] entry, KEYS[2] generation; ARGV[1] payload, ARGV[2] ttl ms, ARGV[3] generation.
 */
export const WRITE = script(
  'write',
  `
local current = redis.pcall('GET', KEYS[2])
if type(current) ~= 'string' or current ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
-- The generation outlives the entry, so a hit never finds it missing.
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
`,
);

/**
 * An explicit set: write the entry and move its generation on, atomically, so a load
 * that began before it is never written over it.
 * KEYS[1] entry, KEYS[2] generation; ARGV[1] payload, ARGV[2] ttl ms, ARGV[3] generation
 * ttl ms. Returns the repaired keys.
 */
export const SET = script(
  'set',
  `
local current = generation(KEYS[2]) or 0
local next = now
if next <= current then next = current + 1 end
redis.call('SET', KEYS[2], fmt(next), 'PX', math.max(tonumber(ARGV[2]), tonumber(ARGV[3])))
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return reply(repaired)
`,
);

/**
 * Deletes entries and moves their generations on.
 * KEYS pairs of (entry, generation); ARGV[1] generation ttl ms. Returns the repaired keys.
 */
export const DELETE = script(
  'delete',
  `
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  local current = generation(KEYS[i + 1]) or 0
  local next = now
  if next <= current then next = current + 1 end
  redis.call('SET', KEYS[i + 1], fmt(next), 'PX', ARGV[1])
end
return reply(repaired)
`,
);

/**
 * Moves tags' versions on: O(1) per tag, whatever the number of tagged entries. A tag
 * that is missing or unreadable gets a new version and hardVersion alike (its old state
 * is unknown, so it counts as deleted).
 * KEYS tags, then the tags' mark key; ARGV[1] 'delete' | 'expire', ARGV[2] tag ttl ms.
 * Returns the repaired keys.
 */
export const INVALIDATE_TAGS = script(
  'invalidate-tags',
  `
local floor = above(KEYS[#KEYS], now)
local highest = floor
for i = 1, #KEYS - 1 do
  local key = KEYS[i]
  local version, hard = tag(key)
  local next = floor
  if version ~= nil and next <= version then next = version + 1 end
  if version == nil or ARGV[1] == 'delete' then hard = next end
  redis.call('SET', key, fmt(next) .. ' ' .. fmt(hard) .. ' ' .. seconds, 'PX', ARGV[2])
  if next > highest then highest = next end
end
redis.call('SET', KEYS[#KEYS], fmt(highest), 'PX', ARGV[2])
return reply(repaired)
`,
);

/**
 * Renews the TTL of tags that are still there (never creates one: a missing tag is the
 * next read's to create, with a new version). Keeps their versions.
 * KEYS tags; ARGV[1] tag ttl ms. Returns the server's seconds, then the repaired keys.
 */
export const TOUCH_TAGS = script(
  'touch-tags',
  `
for _, key in ipairs(KEYS) do
  local version, hard = tag(key)
  if version ~= nil then
    redis.call('SET', key, fmt(version) .. ' ' .. fmt(hard) .. ' ' .. seconds, 'PX', ARGV[1])
  else
    redis.call('DEL', key) -- unreadable: the next read creates it afresh
  end
end
table.insert(repaired, 1, seconds)
return reply(repaired)
`,
);

/**
 * Where tag versions stand, in server microseconds: a tag invalidated or created after it
 * gets a version above it, one invalidated before has a version below it. The server's
 * time, or one more than the highest version or mark handed out (kept at the mark key),
 * whichever is larger; so it holds even when the server's clock steps back.
 * KEYS[1] the tags' mark key (in the tags' slot, so a Cluster answers from the tags'
 * primary); ARGV[1] its ttl ms.
 */
export const VERSION_MARK = script(
  'version-mark',
  `
local mark = above(KEYS[1], now)
redis.call('SET', KEYS[1], fmt(mark), 'PX', ARGV[1])
return fmt(mark)
`,
);
