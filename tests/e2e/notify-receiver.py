#!/usr/bin/python3
# notify-receiver.py PORT DIR SECRET ok|hang - a webhook receiver for the
# notification tests. "ok": each POST is written to DIR/<n>.json with
# DIR/<n>.check holding "good" or "bad" (the X-Slipway-Signature header
# checked here, independently, with Python's hmac); answers 204.
# "hang": accepts connections and never answers.
import hashlib, hmac, http.server, os, socket, sys, time

port, out, secret, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(out, exist_ok=True)

if mode == "hang":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)
        open(os.path.join(out, "hung-%d" % len(held)), "w").close()

class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Slipway-Signature", "")
        H.n += 1
        base = os.path.join(out, str(H.n))
        with open(base + ".tmp", "wb") as f:
            f.write(body)
        with open(base + ".check", "w") as f:
            f.write("good\n" if hmac.compare_digest(want, got) else "bad\n")
        os.rename(base + ".tmp", base + ".json")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass

http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
