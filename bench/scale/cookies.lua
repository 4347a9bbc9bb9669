-- wrk script for bench/scale.sh: GET with a different session cookie on every request,
-- walking the file named by $COOKIES (one cookie value per line) from its first line,
-- so that a run over N cookies hits N distinct sessions before any comes back.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do
    cookies[#cookies + 1] = line
end
local next_cookie = 0

request = function()
    next_cookie = next_cookie % #cookies + 1
    return wrk.format("GET", nil, { Cookie = "hallpass_session=" .. cookies[next_cookie] })
end
