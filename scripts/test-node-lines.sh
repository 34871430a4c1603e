#!/bin/sh
# The tests that touch the runtime (compare, demo, the package's surface,
# threads, the article's programs, the twins, the tracer) on each Node line
# people use besides the machine's: real Node binaries from the npm
# registry's `node` package. The addon built on the machine's Node loads
# unchanged (Node-API). SOCKCALL_NODE_LINES picks the lines (default
# "22 24 26"). The packed tarball's test (test/slow/install.test.ts: no
# compiler, ESM, CommonJS, and TypeScript by each line's type stripping, and
# the arm64 prebuild under qemu with that line's arm64 Node) runs on each
# line against one tarball, packed here once.
set -eu
cd "$(dirname "$0")/.."
lines="${SOCKCALL_NODE_LINES:-22 24 26}"
prefix=$(mktemp -d "${TMPDIR:-/tmp}/sockcall-node-lines.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
npm pack --silent --pack-destination "$prefix" >/dev/null
SOCKCALL_TARBALL=$(ls "$prefix"/sockcall-*.tgz)
export SOCKCALL_TARBALL
for v in $lines; do
  npm install --silent --prefix "$prefix/node$v" --no-save --no-audit --no-fund "node@$v" >/dev/null
  bin="$prefix/node$v/node_modules/.bin"
  echo "== Node $(PATH="$bin:$PATH" node --version)"
  PATH="$bin:$PATH" node --import tsx --test --test-concurrency=1 \
    test/compare.test.ts test/package.test.ts test/threads.test.ts test/examples.test.ts \
    test/tracer.test.ts test/loader.test.ts test/slow/install.test.ts
  # Every twin in every form, the readiness forms npm test leaves to the
  # slow tier included ([full], SOCKCALL_FULL=1).
  PATH="$bin:$PATH" SOCKCALL_FULL=1 node --import tsx --test test/twins.test.ts
done
