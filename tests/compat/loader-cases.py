#!/usr/bin/env python3
"""loader-cases.py SRC OUT - compose-go's loader error cases as projects.

SRC is a checkout of compose-spec/compose-go. For every assertion that a
load fails (assert.Error/ErrorContains/is.ErrorContains on err) in
loader/*_test.go, the YAML the test loads - the nearest raw string literal
before it in the same function, or the testdata file it names - becomes
OUT/<n>/compose.yaml (testdata files keep their directory, so that include
and extends find their neighbours). Writes OUT/cases.txt: n, test function,
the error compose-go expects. Cases that need no file (a bad option, a
missing file named by the test) are listed as skipped with why."""
import os
import re
import shutil
import sys

src, out = sys.argv[1], sys.argv[2]
loader = os.path.join(src, 'loader')
os.makedirs(out, exist_ok=True)
assert_re = re.compile(r'(assert\.(Error|ErrorContains|Check)\(t, (is\.ErrorContains\()?err)')
cases = open(os.path.join(out, 'cases.txt'), 'w')
n = 0
for name in sorted(os.listdir(loader)):
    if not name.endswith('_test.go'):
        continue
    text = open(os.path.join(loader, name), encoding='utf-8').read()
    funcs = [(m.start(), m.group(1)) for m in
             re.finditer(r'^func (Test\w+)\(', text, re.M)]
    for m in assert_re.finditer(text):
        if 'Check(' in m.group(1) and 'ErrorContains' not in m.group(1):
            continue
        start, fname = 0, '?'
        for pos, f in funcs:
            if pos < m.start():
                start, fname = pos, f
        body = text[start:m.start()]
        line = text[m.start():text.index('\n', m.start())]
        want = re.search(r'(["`])(.*?)\1', line[len(m.group(1)):])
        want = want.group(2) if want else ''
        raws = list(re.finditer(r'`([^`]*)`', body, re.S))
        files = re.findall(r'"(testdata/[^"]+\.ya?ml)"|filepath\.Join\("testdata", "([^"]+)"', body)
        d = os.path.join(out, str(n + 1))
        if files:
            f = [a or 'testdata/' + b for a, b in files][-1]
            path = os.path.join(loader, f)
            if not os.path.exists(path):
                cases.write('skip\t%s\t%s\tfile %s not in the tree\n' % (fname, want, f))
                continue
            shutil.copytree(os.path.dirname(path), d)
            base = os.path.basename(path)
            if base != 'compose.yaml':
                if os.path.exists(os.path.join(d, 'compose.yaml')):
                    os.rename(os.path.join(d, 'compose.yaml'),
                              os.path.join(d, 'compose.yaml.orig'))
                shutil.copy(os.path.join(d, base), os.path.join(d, 'compose.yaml'))
        elif raws:
            # beside the loader's testdata, as the test runs
            shutil.copytree(os.path.join(loader, 'testdata'),
                            os.path.join(d, 'testdata'))
            y = raws[-1].group(1)
            open(os.path.join(d, 'compose.yaml'), 'w').write(y)
        else:
            cases.write('skip\t%s\t%s\tno YAML in the test\n' % (fname, want))
            continue
        n += 1
        cases.write('%d\t%s\t%s\n' % (n, fname, want))
