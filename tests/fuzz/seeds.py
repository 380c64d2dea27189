#!/usr/bin/env python3
# seeds.py - (re)write the seed corpora tests/fuzz/corpus/<target>/ from the
# unit tests' inputs: the C string literals of tests/unit/test-*.c (macros
# made of literals expanded), the files under tests/unit/data, and a few
# hand-made engine log frames. Seeds are named by their SHA-1, as libFuzzer
# names what it finds. Run from anywhere; existing seeds are kept.
import glob, hashlib, os, re, struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")

LIT = r'"(?:[^"\\\n]|\\.)*"'
ESC = {'n': b'\n', 't': b'\t', 'r': b'\r', '\\': b'\\', '"': b'"',
       "'": b"'", '0': b'\0', 'a': b'\a', 'b': b'\b', 'f': b'\f',
       'v': b'\v', '?': b'?'}


def decode(lit):
    body, out, i = lit[1:-1], b"", 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == 'x':
            m = re.match(r'[0-9a-fA-F]+', body[i + 2:])
            out += bytes([int(m.group(0), 16) & 0xff])
            i += 2 + len(m.group(0))
        elif n in '01234567':
            m = re.match(r'[0-7]{1,3}', body[i + 1:])
            out += bytes([int(m.group(0), 8) & 0xff])
            i += 1 + len(m.group(0))
        else:
            out += ESC.get(n, n.encode())
            i += 2
    return out


def literals(path):
    """Every run of adjacent string literals (and literal macros), decoded."""
    src = open(path, encoding="utf-8").read().replace("\\\n", "")
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    macros = {}
    for m in re.finditer(r'^#define\s+(\w+)\s+((?:%s\s*)+)$' % LIT, src,
                         re.M):
        macros[m.group(1)] = b"".join(decode(x) for x in
                                      re.findall(LIT, m.group(2)))
    names = "|".join(map(re.escape, macros)) or "(?!)"
    tok = r'(?:%s|\b(?:%s)\b)' % (LIT, names)
    out = []
    for m in re.finditer(r'%s(?:\s*%s)*' % (tok, tok), src):
        s = b"".join(decode(t) if t.startswith('"') else macros[t]
                     for t in re.findall(tok, m.group(0)))
        out.append(s)
    return out


def unit(name):
    return literals(os.path.join(ROOT, "tests", "unit", name))


def files(pattern):
    return [open(p, "rb").read() for p in
            sorted(glob.glob(os.path.join(ROOT, pattern)))
            if os.path.isfile(p)]


def frame(stream, data):
    return struct.pack(">BxxxI", stream, len(data)) + data


KEY = re.compile(rb'(ssh-|ecdsa-|sk-|command=|no-)')
seeds = {
    "compose": [s for s in unit("test-compose.c") if b":" in s and
                len(s) > 8] + files("tests/unit/data/compose/*/*.yaml"),
    "interp": [s for s in unit("test-interp.c") + unit("test-compose.c")
               if b"$" in s],
    "dotenv": [s for s in unit("test-dotenv.c") if b"=" in s] +
              files("tests/unit/data/dotenv/*.env") +
              files("tests/unit/data/compose/*/*.env"),
    "dockerignore": [s for s in unit("test-dockerignore.c") if s] +
                    [b"*\n!keep\n\x00keep\na/b\n",
                     b"**/*.go\n!a/**\n\x00a/x.go\nb/c.go\n"],
    "hook": [s for s in unit("test-names.c") if b"refs" in s],
    "ssh-command": [s for s in unit("test-gateway.c") + unit("test-cmd.c")
                    if s and not KEY.match(s) and len(s) < 300],
    "authorized-keys": [s for s in unit("test-gateway.c") if KEY.search(s)],
    "engine-json": [s for s in unit("test-engine.c") if s.startswith(b"{")],
    "engine-demux": [
        b"\x00" + frame(1, b"hello\nwor") + frame(1, b"ld\r\n") +
        frame(1, b"") + frame(2, b"oops: stderr\n") +
        frame(1, b"b" * 299 + b"\n") + frame(1, b"\npartial") +
        frame(2, b"err\n") + frame(1, b"tail"),
        b"\x03" + frame(1, b"a\nb\n") + frame(2, b"c"),
        b"\x01" + frame(0, b"stdin?\n") + frame(9, b"x"),
        b"\x00raw tty line\nno header\n",
    ],
    "config": [s for s in unit("test-config.c") if b"=" in s or b"[" in s] +
              files("etc/slipway.conf"),
}

for target, items in seeds.items():
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for s in items:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print("%-16s %d seeds" % (target, len(os.listdir(d))))
