-- Write an entry only if its key's generation is still the one read before the load:
-- a load that began before a delete is never written after it (P2).
-- KEYS[1] entry, KEYS[2] generation; ARGV[1] payload, ARGV[2] ttl ms, ARGV[3] generation.
local generation = redis.call('GET', KEYS[2]) or '0'
if generation ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
