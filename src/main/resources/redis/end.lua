-- The end of an admitted exchange (see admit.lua for the keys): frees its concurrency slots, corrects the token
-- buckets by its actual usage, and settles its budget holds into what was spent.
-- KEYS: key and team rate-limit hashes, then per account its hash and holds zset, then the hold's settled marker.
-- ARGV: token delta (actual minus estimate), key rpm, tpm, concurrency, team rpm, tpm, concurrency (-1: none),
--   cost (units), hold member ("<hold id>:<amount>"), accounts n, marker ttl ms.
-- Idempotent: a settlement sent again (its answer was lost, and it was retried) finds its marker and does nothing.
if not redis.call('SET', KEYS[#KEYS], '1', 'NX', 'PX', ARGV[11]) then return 0 end
local U = 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function num(s) return string.format('%.0f', s) end
local function drain(used, limit, ms)
  if limit < 0 or used == 0 then return 0 end
  if ms > used / limit then return 0 end
  return used - ms * limit
end

local delta = tonumber(ARGV[1])
for sc = 1, 2 do
  local rpm, tpm, conc = tonumber(ARGV[3 * sc - 1]), tonumber(ARGV[3 * sc]), tonumber(ARGV[3 * sc + 1])
  local k = KEYS[sc]
  if (rpm >= 0 or tpm >= 0 or conc >= 0) and redis.call('EXISTS', k) == 1 then
    local v = redis.call('HMGET', k, 'r', 't', 'f', 'l')
    local r, tk, f, l = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or now
    local ms = now - l
    if ms > 0 then
      l = now
      r = drain(r, rpm, ms)
      tk = drain(tk, tpm, ms)
    end
    if tpm >= 0 and delta ~= 0 then tk = math.max(0, tk + delta * U) end
    if conc >= 0 then f = math.max(0, f - 1) end
    redis.call('HSET', k, 'r', num(r), 't', num(tk), 'f', num(f), 'l', num(l))
  end
end

local member = ARGV[9]
local amount = string.match(member, ':(%d+)$')
local n = tonumber(ARGV[10])
for i = 1, n do
  local a, z = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  -- An account gone from Redis (restarted empty) is rebuilt from the ledger, which will hold this cost: not here.
  if redis.call('EXISTS', a) == 1 then
    if redis.call('ZREM', z, member) == 1 and amount ~= '0' then redis.call('HINCRBY', a, 'reserved', '-' .. amount) end
    if ARGV[8] ~= '0' then redis.call('HINCRBY', a, 'spent', ARGV[8]) end
  end
end
return 1
