// Bounds on how long something may take (a process gone within a second,
// an abort within 50 ms) are scaled by SOCKCALL_TEST_SLOWDOWN, which the
// sanitizer run sets: code under AddressSanitizer runs several times slower
// and exits slower, without being any less prompt in what it does.
export const slow = Math.max(1, Number(process.env.SOCKCALL_TEST_SLOWDOWN) || 1);
export const ms = (n: number): number => n * slow;
