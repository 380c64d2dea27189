#!/usr/bin/env python3
"""rewrite.py DIR LOCAL_IMAGE PREFIX - make a copy of a compose project
deployable without the internet, changing names only (tests/compat/measure.sh):

- image: of a service without build: -> LOCAL_IMAGE (a run-unique tag of the
  busybox-static base image);
- image: of a service with build: -> PREFIX-<name>, so that what the run
  builds is named for the run and removed afterwards;
- Dockerfile FROM <public image> -> LOCAL_IMAGE, FROM <built image> ->
  PREFIX-<name>; stages, scratch and ${ARG}s are left alone;
- container_name: X -> PREFIX-X (names on the shared engine stay unique).

Prints the built image names, one a line, for the cleanup."""
import os
import re
import sys

import yaml

root, local, prefix = sys.argv[1], sys.argv[2], sys.argv[3]


def safe(name):
    return re.sub(r'[^a-z0-9_.-]', '-', name.lower())


public, built = set(), {}
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
        m = cname_re.match(line)
        if m and '$' not in m.group(3):
            line = m.group(1) + prefix + '-' + safe(m.group(3)) + m.group(4)
        out.append(line)
    open(path, 'w', encoding='utf-8').write('\n'.join(out))

from_re = re.compile(r'^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$', re.I)
for d, _, files in os.walk(root):
    for f in files:
        if not (f.startswith('Dockerfile') or f.endswith('.Dockerfile')):
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
                if img in built:
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
