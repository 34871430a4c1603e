#!/bin/sh
# npm start: the article's program 1, first in Python, then ported to
# TypeScript. Both end with errno 111 and exit status 1.
PY=${PYTHON:-python3}
echo "== python3 examples/program1.py"
"$PY" examples/program1.py
echo "(exit status $?)"
echo
echo "== tsx examples/program1.ts"
node --import tsx examples/program1.ts
echo "(exit status $?)"
