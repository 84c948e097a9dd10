-- H2: every connection sends its requests in batches of DEPTH pipelined requests (one write)
-- and waits for the whole batch before sending the next.
--   wrk -s pipeline.lua URL -- [DEPTH=16] [PATH=URL's path]
-- Latency reported by wrk is per batch (from the write to the last response).

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "verify.lua")

init = function(args)
  local depth = tonumber(args[1]) or 16
  local batch = {}
  for i = 1, depth do batch[i] = wrk.format(nil, args[2]) end
  pipelined = table.concat(batch)
end

request = function() return pipelined end
