-- H3: GET /users/<n>, n cycling through 1..COUNT so the router sees a different parameter on
-- each request (prebuilt, so the load generator does no formatting per request).
--   wrk -s users.lua URL -- [COUNT=1000]

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "verify.lua")

init = function(args)
  local count = tonumber(args[1]) or 1000
  requests_by_index = {}
  for i = 1, count do requests_by_index[i] = wrk.format(nil, "/users/" .. i) end
  next_index = 0
end

request = function()
  next_index = next_index % #requests_by_index + 1
  return requests_by_index[next_index]
end
