// The addon as the rest of lib/ uses it: loaded (binding.ts), and handed
// lib/'s functions once (setup()), as this module loads, so that no path
// into the addon can find them missing. The addon's results are made by
// these literals (see CallMaker in native/results.h for why), its errors by
// errors.ts, and a Promise-form call completes through promise.ts.
import { binding } from './binding';
import { errorFromErrno, gaierror } from './errors';
import { complete } from './promise';

binding.setup(errorFromErrno, (code, message) => new gaierror(code, message), complete,
  (family, addr, port) => ({ family, addr, port }),
  (family, addr, port, flowinfo, scope_id) => ({ family, addr, port, flowinfo, scope_id }),
  (first, second) => [first, second]);

export const native = binding;
export type * from './binding';
