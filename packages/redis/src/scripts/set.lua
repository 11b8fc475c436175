-- An explicit set: write the entry and move its generation on (server time, always
-- growing), atomically, so a load that began before it is never written over it.
-- KEYS[1] entry, KEYS[2] generation; ARGV[1] payload, ARGV[2] ttl ms, ARGV[3] generation ttl ms
-- (like a delete's: it bounds how long a load may run and still be refused).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local next = now
if next <= current then next = current + 1 end
redis.call('SET', KEYS[2], string.format('%.0f', next), 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
