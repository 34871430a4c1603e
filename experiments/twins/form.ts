// The twins run in each form of the facade: SOCKCALL_FORM=promise makes
// each call that can block with its Promise form (on a thread of the
// addon's), anything else with its Sync form, so that one port is held to
// its Python original both ways (test/twins.test.ts runs both). A twin wraps
// each socket it makes in twin() and writes `await a.recv(10)`: in the Sync
// form that is a.recvSync(10), awaited as a plain value.
import { Socket } from 'sockcall';

// SOCKCALL_FORM=readiness: the Promise forms with { wait: 'readiness' }
// given to each call of a socket's (the event loop waits, the call is made
// on the JavaScript thread).
const readiness = process.env.SOCKCALL_FORM === 'readiness';
const promise = process.env.SOCKCALL_FORM === 'promise' || readiness;

const hasSyncForms = (v: object) => {
  for (let p = Object.getPrototypeOf(v); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.getOwnPropertyNames(p).some((k) => k.endsWith('Sync'))) return true;
  }
  return Object.keys(v).some((k) => k.endsWith('Sync'));
};

function wrap(v: unknown): unknown {
  if (v instanceof Promise) return v.then(wrap);
  if (Array.isArray(v)) return v.map(wrap);
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && hasSyncForms(v)) return twin(v);
  return v;
}

// One proxy per object, and a proxy is its own twin: a result that hands
// back an object given (select()'s ready lists) is that object, as Python's
// `r == [a]` asks.
const proxies = new WeakMap<object, object>();
const made = new WeakSet<object>();

// A file of makefile()'s is iterated with `for await` and closed with
// `await using` in a twin; in the Sync forms those are its Symbol.iterator
// and Symbol.dispose, so that each line is a readlineSync().
function syncFormOf(t: object, key: symbol): unknown {
  const o = t as Record<symbol, (() => unknown) | undefined>;
  if (key === Symbol.asyncIterator && typeof o[Symbol.iterator] === 'function') {
    return () => {
      const it = o[Symbol.iterator]!.call(t) as Iterator<unknown>;
      return { next: async () => it.next(), [Symbol.asyncIterator]() { return this; } };
    };
  }
  if (key === Symbol.asyncDispose && typeof o[Symbol.dispose] === 'function') return async () => o[Symbol.dispose]!.call(t);
  return undefined;
}

/** The object, its methods that have a Sync form made in the chosen form. */
export function twin<T extends object>(target: T): T {
  if (made.has(target)) return target;
  const known = proxies.get(target);
  if (known !== undefined) return known as T;
  const proxy = new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key, t) as unknown;
      if (typeof v !== 'function') return v;
      // The symbol-named methods (repr()'s pyRepr, Symbol.dispose) are the
      // target's, called on it: they read its private fields; a file's async
      // iterator and asyncDispose are its Sync ones in the Sync forms.
      if (typeof key !== 'string') return (!promise && syncFormOf(t, key)) || (v as (...a: unknown[]) => unknown).bind(t);
      const sync = Reflect.get(t, `${key}Sync`, t) as unknown;
      const fn = (!promise && typeof sync === 'function' ? sync : v) as (...a: unknown[]) => unknown;
      const ready = readiness && t instanceof Socket && typeof sync === 'function';
      return (...args: unknown[]) => wrap(fn.apply(t, ready ? [...args, { wait: 'readiness' }] : args));
    },
  });
  proxies.set(target, proxy);
  made.add(proxy);
  return proxy;
}
