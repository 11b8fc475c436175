-- Move tags' versions on: O(1) per tag, whatever the number of tagged entries.
-- A tag is stored as "<version> <hardVersion>". Versions come from the server's clock in
-- microseconds and always grow, so a version is never reused, even after the tag key
-- expires. KEYS tags; ARGV[1] 'delete' | 'expire', ARGV[2] bookkeeping ttl ms.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
for _, key in ipairs(KEYS) do
  local version, hard = 0, 0
  local current = redis.call('GET', key)
  if current then
    local space = string.find(current, ' ', 1, true)
    version = tonumber(string.sub(current, 1, space - 1))
    hard = tonumber(string.sub(current, space + 1))
  end
  local next = now
  if next <= version then next = version + 1 end
  if ARGV[1] == 'delete' then hard = next end
  redis.call('SET', key, string.format('%.0f %.0f', next, hard), 'PX', ARGV[2])
end
return #KEYS
