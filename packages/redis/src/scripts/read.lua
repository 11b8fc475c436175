-- One round trip for a read: the entry, its generation, and the state of its tags.
-- KEYS[1] entry, KEYS[2] generation, KEYS[3..] tags (single node only; on a Cluster the
-- tags are read by a parallel MGET, since they live in another slot).
local tags = false
if #KEYS > 2 then tags = redis.call('MGET', unpack(KEYS, 3)) end
return { redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), tags }
