-- wrk script for bench/intake.sh and bench/e2e.sh: POSTs a CRM change with a webhook-id unique to
-- this run, thread and request, so Steward stores every request as a new event (no duplicates).
-- Arguments after "--": <run prefix> <number of distinct keys> [<signing key, hex>] [<payload>].
-- The payload is "customer" (the default: a small customer change, for intake.sh) or "deal" (a
-- deal of about 1 KB, for e2e.sh: its stage is one of ten, "closedlost" one time in ten, which
-- the benchmarked flows drop; its amount and updated_at change with every request).
-- With a signing key, every request is signed the Standard Webhooks way, computed here per
-- request: webhook-timestamp is now, webhook-signature is "v1," and the base64 HMAC-SHA256 of
-- "<webhook-id>.<webhook-timestamp>.<body>". SHA-256 is plain LuaJIT (wrk embeds LuaJIT), and
-- checked against RFC 4231 when each thread starts.
-- done() prints one "BENCH ..." line that intake.sh parses; latencies are in microseconds.

local bit = require("bit")
local band, bor, bxor, bnot, rshift, lshift, ror, tobit =
   bit.band, bit.bor, bit.bxor, bit.bnot, bit.rshift, bit.lshift, bit.ror, bit.tobit
local byte, char, concat, rep = string.byte, string.char, table.concat, string.rep

local K = {
   0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
   0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
   0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
   0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
   0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
   0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
   0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
   0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end

local w = {}
local function block(msg, at, H)
   for j = 0, 15 do
      local b1, b2, b3, b4 = byte(msg, at + 4 * j, at + 4 * j + 3)
      w[j] = bor(lshift(b1, 24), lshift(b2, 16), lshift(b3, 8), b4)
   end
   for j = 16, 63 do
      local x, y = w[j - 15], w[j - 2]
      local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
      local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
      w[j] = tobit(w[j - 16] + s0 + w[j - 7] + s1)
   end
   local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
   for j = 0, 63 do
      local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = tobit(h + S1 + ch + K[j + 1] + w[j])
      local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + S0 + maj)
   end
   H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
   H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

local function sha256(msg)
   local length = #msg
   local bits = length * 8
   local tail = {}
   for i = 7, 0, -1 do tail[#tail + 1] = char(math.floor(bits / 2 ^ (8 * i)) % 256) end
   msg = msg .. "\128" .. rep("\0", (55 - length) % 64) .. concat(tail)
   local H = { tobit(0x6a09e667), tobit(0xbb67ae85), tobit(0x3c6ef372), tobit(0xa54ff53a),
               tobit(0x510e527f), tobit(0x9b05688c), tobit(0x1f83d9ab), tobit(0x5be0cd19) }
   for at = 1, #msg, 64 do block(msg, at, H) end
   local out = {}
   for i = 1, 8 do
      local v = H[i]
      out[i] = char(band(rshift(v, 24), 255), band(rshift(v, 16), 255), band(rshift(v, 8), 255), band(v, 255))
   end
   return concat(out)
end

local function xor_pad(key, with)
   local out = {}
   for i = 1, 64 do out[i] = char(bxor(byte(key, i) or 0, with)) end
   return concat(out)
end

local function hmac_sha256(key, msg)
   if #key > 64 then key = sha256(key) end
   return sha256(xor_pad(key, 0x5c) .. sha256(xor_pad(key, 0x36) .. msg))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
   local out = {}
   for i = 1, #s, 3 do
      local a, b, c = byte(s, i, i + 2)
      local n = a * 65536 + (b or 0) * 256 + (c or 0)
      local q = {}
      for k = 3, 0, -1 do
         local idx = math.floor(n / 64 ^ k) % 64
         q[#q + 1] = B64:sub(idx + 1, idx + 1)
      end
      if not b then q[3], q[4] = "=", "=" elseif not c then q[4] = "=" end
      out[#out + 1] = concat(q)
   end
   return concat(out)
end

local function hex(s)
   return (s:gsub(".", function(ch) return string.format("%02x", byte(ch)) end))
end

local function unhex(h)
   return (h:gsub("..", function(pair) return char(tonumber(pair, 16)) end))
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   run = args[1] or "run"
   keys = tonumber(args[2] or "5000")
   signing_key = args[3] and args[3] ~= "" and unhex(args[3]) or nil
   payload = args[4] and args[4] ~= "" and args[4] or "customer"
   if payload ~= "customer" and payload ~= "deal" then
      error("unknown payload '" .. payload .. "': customer or deal")
   end
   counter = 0
   math.randomseed(os.time() * 1000 + tid)
   local check = hex(hmac_sha256("Jefe", "what do ya want for nothing?"))
   if check ~= "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" then
      error("HMAC-SHA256 self-test failed: " .. check)
   end
end

local STAGES = { "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
   "contractsent", "negotiation", "proposal", "closedwon", "renewal", "closedlost" }
local DESCRIPTION = "Renewal of the platform licence for three plants, with the maintenance contract, "
   .. "on-site training for twelve operators and the migration of the legacy order data. "
   .. "Procurement asked for a second quote; legal reviews the data processing agreement."

-- About 1 KB (1,015 bytes on average): the fields the flows sync (name, stage, amount, currency, close_date, owner.email)
-- among the rest of a CRM's deal. Everything but the stage and the amount is the same for a key.
local function deal(n)
   return string.format(
      '{"id":"D-%d","name":"Deal %d: Account %d platform renewal","stage":"%s","amount":%d.%02d,'
      .. '"currency":"EUR","probability":%d,"close_date":"2027-%02d-%02d","pipeline":"enterprise",'
      .. '"region":"EMEA","lead_source":"partner referral","next_step":"Send the revised quote by Friday",'
      .. '"owner":{"id":"U-%d","name":"Owner %d","email":"owner%d@example.com"},'
      .. '"company":{"id":"A-%d","name":"Account %d GmbH","domain":"account%d.example.com",'
      .. '"industry":"manufacturing","employees":%d},'
      .. '"contacts":[{"id":"P-%d-1","email":"buyer@account%d.example.com","role":"buyer"},'
      .. '{"id":"P-%d-2","email":"it@account%d.example.com","role":"technical"}],'
      .. '"tags":["renewal","priority","q4"],"description":"%s",'
      .. '"created_at":"2026-01-15T09:30:00Z","updated_at":"%s"}',
      n, n, n, STAGES[math.random(#STAGES)], math.random(1000, 500000), math.random(0, 99),
      10 * math.random(1, 9), 1 + n % 12, 1 + n % 28, n % 50, n % 50, n % 50,
      n, n, n, 10 + n % 990, n, n, n, n, DESCRIPTION, os.date("!%Y-%m-%dT%H:%M:%SZ"))
end

function request()
   counter = counter + 1
   local n = math.random(keys)
   local body
   if payload == "deal" then
      body = deal(n)
   else
      body = string.format(
         '{"id":"C-%d","email":"u%d@example.com","phone":"+1 555 0100","credit_limit":1000}', n, n)
   end
   local id = string.format("%s-%d-%d", run, tid, counter)
   local headers = {
      ["Content-Type"] = "application/json",
      ["webhook-id"] = id,
   }
   if signing_key then
      local timestamp = tostring(os.time())
      headers["webhook-timestamp"] = timestamp
      headers["webhook-signature"] = "v1," .. base64(hmac_sha256(signing_key, id .. "." .. timestamp .. "." .. body))
   end
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
