-- wrk script: PUTs a 4 KiB body (BODY_BYTES to change) to the presigned paths in the file PATHS, one per line,
-- each thread starting at its own offset so threads do not write the same keys at once.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local body = string.rep("s", tonumber(os.getenv("BODY_BYTES") or "4096"))
local threads = 0

function setup(thread)
  thread:set("offset", threads * 1000003)
  threads = threads + 1
end

local i = 0
function request()
  i = i + 1
  return wrk.format("PUT", paths[((offset or 0) + i) % #paths + 1], {["Content-Type"] = "application/octet-stream"}, body)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("PUT answered " .. status .. "\n")
  end
end
