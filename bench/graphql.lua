-- wrk script: POSTs a GraphQL request with the token in VIGO_BENCH_TOKEN (none when empty).
-- QUERY_FILE holds the query; IDS_FILE (optional) holds national ids, one per line, and the
-- query's $n variable is set to one of them at random for each request.
local token = os.getenv("VIGO_BENCH_TOKEN")
local query = io.open(os.getenv("QUERY_FILE")):read("*a"):gsub("\n", " "):gsub('"', '\\"')
local ids = {}
local ids_file = os.getenv("IDS_FILE")
if ids_file and ids_file ~= "" then
  for line in io.lines(ids_file) do ids[#ids + 1] = line end
end
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() + (seed or 0))
end

request = function()
  local variables = "{}"
  if #ids > 0 then
    variables = '{"n":"' .. ids[math.random(#ids)] .. '"}'
  end
  local body = '{"query":"' .. query .. '","variables":' .. variables .. '}'
  local headers = { ["Content-Type"] = "application/json" }
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("POST", "/graphql", headers, body)
end

response = function(status, headers, body)
  if status ~= 200 or body:find('"errors"') then
    io.stderr:write("unexpected response " .. status .. ": " .. body:sub(1, 200) .. "\n")
  end
end
