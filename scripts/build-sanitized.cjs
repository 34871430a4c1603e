// Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build-asan/ (the normal build in build/ is left alone). Load it with
// SOCKCALL_ADDON=build-asan/build/Release/sockcall.node and the sanitizer
// runtimes preloaded (Node itself is not instrumented); test/sanitizers.test.ts
// does both.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'build-asan');
const gyp = JSON.parse(fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8'));
const target = gyp.targets[0];
target.sources = target.sources.map((s) => path.join('..', s));
const flags = ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=all', '-g', '-O1'];
target.cflags_cc = [...target.cflags_cc, ...flags];
target.cflags = [...(target.cflags || []), ...flags];
target.ldflags = [...(target.ldflags || []), '-fsanitize=address,undefined'];
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify(gyp, null, 2) + '\n');
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
// Node's own headers, as npm's configuration gives them to node-gyp (no
// download): npm_config_nodedir, or the prefix this node was installed in.
const prefix = path.resolve(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir ||
  (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
execFileSync(process.execPath, [nodeGyp, 'rebuild', '--silent', ...(nodedir ? [`--nodedir=${nodedir}`] : [])],
  { cwd: dir, stdio: 'inherit' });
console.log(path.join(dir, 'build', 'Release', 'sockcall.node'));
