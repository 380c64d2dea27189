#!/usr/bin/env python3
"""rewrite.py DIR LOCAL_IMAGE PREFIX [PORT_BASE] - make a copy of a compose project
deployable without the internet, changing names only (tests/compat/measure.sh):

- image: of a service without build: -> LOCAL_IMAGE (a run-unique tag of the
  busybox-static base image);
- image: of a service with build: -> PREFIX-<name>, so that what the run
  builds is named for the run and removed afterwards;
- Dockerfile FROM <public image> -> LOCAL_IMAGE, FROM <built image> ->
  PREFIX-<name>; stages, scratch and ${ARG}s are left alone;
- container_name: X -> PREFIX-X (names on the shared engine stay unique);
- with PORT_BASE, a published host port (short syntax H:C or IP:H:C, long
  syntax published:) -> PORT_BASE + n, the same port for the same number
  (the engine is shared, and the host may serve 80 already).

Prints the built image names, one a line, for the cleanup."""
import os
import re
import sys

import yaml

root, local, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
port_base = int(sys.argv[4]) if len(sys.argv) > 4 else None
ports = {}


def new_port(p):
    if p not in ports:
        ports[p] = str(port_base + len(ports))
    return ports[p]


short_port_re = re.compile(r'^(\s*-\s*["\']?(?:\d+\.\d+\.\d+\.\d+:)?)(\d+)(:\d+(?:/\w+)?["\']?\s*)$')
long_port_re = re.compile(r'^(\s*published:\s*["\']?)(\d+)(["\']?\s*)$')


def safe(name):
    return re.sub(r'[^a-z0-9_.-]', '-', name.lower())


public, built, own = set(), {}, {}  # own: Dockerfile -> images it builds
yamls = []
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith(('.yaml', '.yml')):
            yamls.append(os.path.join(d, f))
for path in yamls:
    try:
        doc = yaml.safe_load(open(path, encoding='utf-8'))
    except Exception:
        continue
    if not isinstance(doc, dict) or not isinstance(doc.get('services'), dict):
        continue
    for svc in doc['services'].values():
        if not isinstance(svc, dict) or not isinstance(svc.get('image'), str):
            continue
        img = svc['image']
        if '$' in img:
            continue
        if 'build' in svc:
            built[img] = prefix + '-' + safe(img.split(':')[0])
            b = svc['build']
            ctx = b if isinstance(b, str) else (b or {}).get('context', '.')
            df = 'Dockerfile' if isinstance(b, str) else \
                (b or {}).get('dockerfile', 'Dockerfile')
            if isinstance(ctx, str) and isinstance(df, str):
                own.setdefault(os.path.normpath(os.path.join(
                    os.path.dirname(path), ctx, df)), set()).add(img)
        else:
            public.add(img)
public -= set(built)


def new_image(img):
    if img in built:
        return built[img]
    if img in public:
        return local
    return None


image_re = re.compile(r'^(\s*-?\s*image:\s*)(["\']?)([^"\'#\s]+)\2(\s*(#.*)?)$')
cname_re = re.compile(r'^(\s*container_name:\s*)(["\']?)([^"\'#\s]+)\2(\s*)$')
for path in yamls:
    try:
        lines = open(path, encoding='utf-8').read().split('\n')
    except Exception:
        continue
    out = []
    for line in lines:
        m = image_re.match(line)
        if m and new_image(m.group(3)):
            line = m.group(1) + new_image(m.group(3)) + m.group(4)
        for r in (short_port_re, long_port_re) if port_base else ():
            m = r.match(line)
            if m:
                line = m.group(1) + new_port(m.group(2)) + m.group(3)
        m = cname_re.match(line)
        if m and '$' not in m.group(3):
            line = m.group(1) + prefix + '-' + safe(m.group(3)) + m.group(4)
        out.append(line)
    open(path, 'w', encoding='utf-8').write('\n'.join(out))

from_re = re.compile(r'^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$', re.I)
for d, _, files in os.walk(root):
    for f in files:
        if 'dockerfile' not in f.lower():
            continue
        path = os.path.join(d, f)
        try:
            lines = open(path, encoding='utf-8').read().split('\n')
        except Exception:
            continue
        stages, out = set(), []
        for line in lines:
            m = from_re.match(line)
            if m:
                img, rest = m.group(2), m.group(3)
                st = re.search(r'\s+as\s+(\S+)', rest, re.I)
                # FROM the image this very Dockerfile builds is the public one
                if img in built and img not in own.get(os.path.normpath(path), ()):
                    line = m.group(1) + built[img] + rest
                elif img.lower() not in stages and img != 'scratch' and \
                        '$' not in img:
                    line = m.group(1) + local + rest
                if st:
                    stages.add(st.group(1).lower())
            out.append(line)
        open(path, 'w', encoding='utf-8').write('\n'.join(out))

for name in sorted(set(built.values())):
    print(name)
