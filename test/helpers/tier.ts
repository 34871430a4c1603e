// The tests that take long run in the slow tier only: `npm run test:slow`
// runs their files again with SOCKCALL_FULL=1 (package.json), where `npm
// test` runs a part of the same (a few experiments, not all of them; the
// lab's kinds, not its whole matrix). Their names end with [full].
export const full = process.env.SOCKCALL_FULL === '1';
/** The skip option of a [full] test in `npm test`. */
export const fullOnly: false | string = full ? false : 'the whole of it runs in npm run test:slow (SOCKCALL_FULL=1)';
