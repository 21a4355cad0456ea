-- wrk script for the Resettle bench: each connection cycles through a list of requests (one per
-- line of the file given as the first argument: METHOD<TAB>PATH<TAB>Header: value|Header: value),
-- so one run mixes roles, sessions, tokens and search terms. Counts every response other than
-- 200 (a redirect to sign in is a failure here, which wrk alone would not count) and stops each
-- thread after the second argument's number of responses (0: no limit, the run's time bounds it).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  max_requests = tonumber(args[2]) or 0
  responses = 0
  not_ok = 0
  reqs = {}
  for line in io.lines(args[1]) do
    local method, path, rest = line:match("^(%S+)\t(%S+)\t?(.*)$")
    if method then
      local headers = {}
      for header in string.gmatch(rest or "", "[^|]+") do
        local name, value = header:match("^([^:]+):%s*(.*)$")
        if name then headers[name] = value end
      end
      table.insert(reqs, wrk.format(method, path, headers))
    end
  end
  position = (id * 7) % #reqs
end

function request()
  position = position % #reqs + 1
  return reqs[position]
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if max_requests > 0 and responses >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("not_ok") or 0)
    seen = seen + (thread:get("responses") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "responses": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"not_200": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, seen, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.timeout, bad, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
