-- Delete entries and move their generations on (server time, always growing).
-- KEYS pairs of (entry, generation); ARGV[1] generation ttl ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  local current = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  local next = now
  if next <= current then next = current + 1 end
  redis.call('SET', KEYS[i + 1], string.format('%.0f', next), 'PX', ARGV[1])
end
return #KEYS / 2
