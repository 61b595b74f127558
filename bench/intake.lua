-- wrk script for bench/intake.sh: POSTs a CRM customer change with a webhook-id unique to this
-- run, thread and request, so Steward stores every request as a new event (no duplicates).
-- Arguments after "--": <run prefix> <number of distinct customer keys>.
-- done() prints one "BENCH ..." line that intake.sh parses; latencies are in microseconds.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   run = args[1] or "run"
   keys = tonumber(args[2] or "5000")
   counter = 0
   math.randomseed(os.time() * 1000 + tid)
end

function request()
   counter = counter + 1
   local n = math.random(keys)
   local body = string.format(
      '{"id":"C-%d","email":"u%d@example.com","phone":"+1 555 0100","credit_limit":1000}', n, n)
   local headers = {
      ["Content-Type"] = "application/json",
      ["webhook-id"] = string.format("%s-%d-%d", run, tid, counter),
   }
   return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
