// The twins run in either form of the facade: SOCKCALL_FORM=promise makes
// each call that can block with its Promise form (on a thread of the
// addon's), anything else with its Sync form, so that one port is held to
// its Python original both ways (test/twins.test.ts runs both). A twin wraps
// each socket it makes in twin() and writes `await a.recv(10)`: in the Sync
// form that is a.recvSync(10), awaited as a plain value.
const promise = process.env.SOCKCALL_FORM === 'promise';

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
      // target's, called on it: they read its private fields.
      if (typeof key !== 'string') return (v as (...a: unknown[]) => unknown).bind(t);
      const sync = Reflect.get(t, `${key}Sync`, t) as unknown;
      const fn = (!promise && typeof sync === 'function' ? sync : v) as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => wrap(fn.apply(t, args));
    },
  });
  proxies.set(target, proxy);
  made.add(proxy);
  return proxy;
}
