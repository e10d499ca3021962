-- wrk script: POST /api/v1/visits with a fresh, time-ordered (v7-like) visit id per request.
-- Each request picks a random (leader token, household of that leader) pair from the targets
-- file written by bench.py (one "token household_id" per line).
-- Usage: wrk -t2 -c32 -d20s -s visit.lua http://127.0.0.1:PORT -- targets.txt

local targets = {}
local counter = 0
local visited_at

local function load(path)
  for line in io.lines(path) do
    local token, household = line:match("^(%S+)%s+(%S+)$")
    if token then
      targets[#targets + 1] = { "Bearer " .. token, household }
    end
  end
end

-- setup runs in the main Lua state; each thread's own state gets its number as a global.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  load(args[1] or "targets.txt")
  -- Distinct per thread (and per run), or the threads would send the same ids.
  local seed = (tonumber(rawget(_G, "thread_no")) or 0) * 7919 + os.time()
  math.randomseed(seed)
  -- An hour ago: never "in the future" for the server.
  visited_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 3600)
end

local function hex(n, width)
  return string.format("%0" .. width .. "x", n)
end

-- 48 bits of milliseconds, version 7, variant 10, random rest: a UUID v7 as a phone makes it.
local function uuid7()
  counter = counter + 1
  local ms = os.time() * 1000 + (counter % 1000)
  local hi = math.floor(ms / 4294967296)
  local lo = ms % 4294967296
  return hex(hi, 4) .. hex(math.floor(lo / 65536), 4) .. "-" .. hex(lo % 65536, 4) .. "-7"
    .. hex(math.random(0, 4095), 3) .. "-" .. hex(32768 + math.random(0, 16383), 4) .. "-"
    .. hex(math.random(0, 65535), 4) .. hex(math.random(0, 65535), 4) .. hex(math.random(0, 65535), 4)
end

function request()
  local t = targets[math.random(1, #targets)]
  local body = '{"id":"' .. uuid7() .. '","household_id":"' .. t[2] .. '","visited_at":"'
    .. visited_at .. '","method":"door","summary":"bench visit"}'
  return wrk.format("POST", "/api/v1/visits",
    { ["Authorization"] = t[1], ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local s = summary
  io.write(string.format(
    "WRK requests=%d duration_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    s.requests, s.duration, s.errors.connect, s.errors.read, s.errors.write, s.errors.status,
    s.errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
