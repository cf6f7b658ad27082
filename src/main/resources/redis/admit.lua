-- Admission of one request, key and team at once: rate limits (token buckets in token units refilled continuously,
-- and in-flight counts) and budget reservations, all or none. The Java side (RedisAdmission) mirrors Allowance and
-- BudgetBook; this script is their shared-state twin, run atomically by Redis, so no two instances can both admit
-- past a limit. Time is Redis's own (TIME), never an instance's clock.
--
-- KEYS[1], KEYS[2]: the key's and the team's rate-limit hashes (fields r, t: requests and tokens used, in units of
--   1/60000 per ms of refill; f: in flight; l: last refill, ms).
-- KEYS[3..]: per budget account, its hash (spent, reserved: units of 1e-10 USD) then its zset of holds
--   ("<hold id>:<amount>" scored by the moment the hold expires).
-- ARGV: tokens, key rpm, tpm, concurrency, team rpm, tpm, concurrency (-1: none), worst (units), hold id,
--   hold ttl ms, accounts n, then per account: limit (units), expire-at ms (0: never).
-- Returns {'ok', now ms, key view (6), team view (6), per account: used}, {'missing', account index...},
--   {'limit', scope (1 key, 2 team), dimension (1 requests, 2 tokens, 3 concurrency), limit, needed, left, wait ms,
--   view (6)} or {'budget', account index, spent, reserved, holds}.
local U = 60000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[11])

local function num(s) return string.format('%.0f', s) end

-- Budgets first: an account missing from Redis must be loaded from the ledger before anything is counted.
local missing = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[1 + 2 * i]) == 0 then missing[#missing + 1] = i end
end
if #missing > 0 then
  table.insert(missing, 1, 'missing')
  return missing
end

local function ceildiv(a, b)
  if a <= 0 then return 0 end
  return math.ceil(a / b)
end
local function left(used, limit)
  return math.max(0, limit - ceildiv(used, U))
end
local function drain(used, limit, ms)
  if limit < 0 or used == 0 then return 0 end
  if ms > used / limit then return 0 end
  return used - ms * limit
end

local function load(k, rpm, tpm)
  local v = redis.call('HMGET', k, 'r', 't', 'f', 'l')
  local s = {r = tonumber(v[1]) or 0, t = tonumber(v[2]) or 0, f = tonumber(v[3]) or 0, l = tonumber(v[4]) or now}
  local ms = now - s.l
  if ms > 0 then
    s.l = now
    s.r = drain(s.r, rpm, ms)
    s.t = drain(s.t, tpm, ms)
  end
  return s
end

local function take(s, rpm, tpm, conc, tokens)
  local worst = nil
  if rpm >= 0 and s.r + U > rpm * U then
    worst = {1, rpm, 1, left(s.r, rpm), ceildiv(s.r + U - rpm * U, rpm)}
  end
  if tpm >= 0 and s.t + tokens * U > tpm * U then
    local wait = -1
    if tokens <= tpm then wait = ceildiv(s.t + tokens * U - tpm * U, tpm) end
    if worst == nil or tokens > tpm or wait > worst[5] then
      worst = {2, tpm, tokens, left(s.t, tpm), wait}
    end
  end
  if conc >= 0 and s.f >= conc and worst == nil then worst = {3, conc, 1, 0, -1} end
  return worst
end

local function view(s, rpm, tpm)
  local v = {-1, 0, 0, -1, 0, 0}
  if s == nil then return v end
  if rpm >= 0 then v[1] = rpm; v[2] = left(s.r, rpm); v[3] = ceildiv(s.r, rpm) end
  if tpm >= 0 then v[4] = tpm; v[5] = left(s.t, tpm); v[6] = ceildiv(s.t, tpm) end
  return v
end

local tokens = tonumber(ARGV[1])
local lim = {}
for i = 2, 7 do lim[i] = tonumber(ARGV[i]) end
local scopes = {}
for sc = 1, 2 do
  local rpm, tpm, conc = lim[3 * sc - 1], lim[3 * sc], lim[3 * sc + 1]
  if rpm >= 0 or tpm >= 0 or conc >= 0 then
    local s = load(KEYS[sc], rpm, tpm)
    local w = take(s, rpm, tpm, conc, tokens)
    if w ~= nil then
      local r = {'limit', sc, w[1], w[2], w[3], w[4], w[5]}
      for _, x in ipairs(view(s, rpm, tpm)) do r[#r + 1] = x end
      return r
    end
    scopes[sc] = s
  end
end

local worst = tonumber(ARGV[8])
local used = {}
for i = 1, n do
  local a, z = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #expired > 0 then
    -- Holds whose settlement never came (an instance died, or Redis was unreachable): their money is free again.
    for _, m in ipairs(expired) do
      local amount = string.match(m, ':(%d+)$')
      if amount and amount ~= '0' then redis.call('HINCRBY', a, 'reserved', '-' .. amount) end
    end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
  end
  local v = redis.call('HMGET', a, 'spent', 'reserved')
  local spent, reserved = tonumber(v[1]) or 0, tonumber(v[2]) or 0
  local limit = tonumber(ARGV[10 + 2 * i])
  local u = spent + reserved
  if u >= limit or u + worst > limit then
    return {'budget', i, v[1] or '0', v[2] or '0', redis.call('ZCARD', z)}
  end
  used[i] = u
end

-- Everything fits: count it.
for sc = 1, 2 do
  local s = scopes[sc]
  if s ~= nil then
    local rpm, tpm, conc = lim[3 * sc - 1], lim[3 * sc], lim[3 * sc + 1]
    if rpm >= 0 then s.r = s.r + U end
    if tpm >= 0 then s.t = s.t + tokens * U end
    if conc >= 0 then s.f = s.f + 1 end
    redis.call('HSET', KEYS[sc], 'r', num(s.r), 't', num(s.t), 'f', num(s.f), 'l', num(s.l))
    -- Idle buckets refill within a minute; the in-flight count of an exchange longer than this is the only loss.
    redis.call('PEXPIRE', KEYS[sc], 3600000)
  end
end
local member = ARGV[9] .. ':' .. ARGV[8]
for i = 1, n do
  local a, z = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  redis.call('HINCRBY', a, 'reserved', ARGV[8])
  redis.call('ZADD', z, now + tonumber(ARGV[10]), member)
  local expireAt = tonumber(ARGV[11 + 2 * i])
  if expireAt > 0 then redis.call('PEXPIREAT', z, expireAt) end
end

local r = {'ok', now}
for sc = 1, 2 do
  for _, x in ipairs(view(scopes[sc], lim[3 * sc - 1], lim[3 * sc])) do r[#r + 1] = x end
end
for i = 1, n do r[#r + 1] = num(used[i]) end
return r
