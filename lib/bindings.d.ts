// The `bindings` package ships no types: it returns the addon's exports,
// which lib/native.ts types once.
declare module 'bindings' {
  function bindings(name: string | { bindings: string; module_root?: string }): unknown;
  export = bindings;
}
