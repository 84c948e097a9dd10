-- Response checking for bench/run's warm-up runs (a fast wrong answer counts as zero).
--
-- With WRK_VERIFY=1 in the environment every response must have status 200 and a body equal
-- to WRK_EXPECT_BODY, or matching the Lua pattern WRK_EXPECT_PATTERN; done() prints
--   verify: checked=<responses> bad=<wrong ones> first=<the first wrong one, quoted>
-- Without WRK_VERIFY it defines nothing, so the measured runs do not pay for body parsing.
-- Usable alone (`wrk -s verify.lua URL`, which requests the URL's path) or loaded by the other
-- scripts with dofile.

if os.getenv("WRK_VERIFY") == "1" then
  local function setting(name)  -- unset and empty are the same
    local value = os.getenv(name)
    if value == "" then return nil end
    return value
  end
  local expect_body = setting("WRK_EXPECT_BODY")
  local expect_pattern = setting("WRK_EXPECT_PATTERN")
  local threads = {}

  local function acceptable(status, body)
    if status ~= 200 then return false end
    if expect_body then return body == expect_body end
    if expect_pattern then return string.find(body, expect_pattern) ~= nil end
    return true
  end

  -- Main state, once per wrk thread: remember the threads to sum their counters in done().
  setup = function(thread) table.insert(threads, thread) end

  -- Thread states: count every response and keep the first wrong one.
  checked, bad, first_bad = 0, 0, ""
  response = function(status, headers, body)
    checked = checked + 1
    if not acceptable(status, body) then
      bad = bad + 1
      if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 80) end
    end
  end

  done = function(summary, latency, requests)
    local total_checked, total_bad, first = 0, 0, ""
    for _, thread in ipairs(threads) do
      total_checked = total_checked + thread:get("checked")
      total_bad = total_bad + thread:get("bad")
      if first == "" then first = thread:get("first_bad") end
    end
    io.write(string.format("verify: checked=%d bad=%d first=%q\n", total_checked, total_bad, first))
  end
end
