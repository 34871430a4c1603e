// The traced run of every call, and the registration of the tables of
// calls (calls.h): a call that can block is registered as `nameSync` (made
// here) and `name` (the Promise form); one that never blocks as `name`.
#include "calls.h"

#include "trace.h"

#include <new>

namespace sockcall {

void RunTraced(Op* op) {
  op->Before();
  if (!trace::enabled) {
    op->Run();
    return;
  }
  timespec t0, t1;
  trace::Now(&t0);
  op->Run();
  trace::Now(&t1);
  // The call is made and its result kept: a trace line that cannot be
  // built (out of memory) is dropped rather than ending the process.
  try {
    trace::Emit(op->Trace(), op->ret, op->err, t0, t1, op->ret >= 0 ? op->TraceReturn() : std::string());
  } catch (const std::bad_alloc&) {
  }
}

void InitCalls(Napi::Env env, Napi::Object exports) {
  for (const Table& t : {kSocketCalls, kIoCalls, kWaitCalls}) {
    for (size_t i = 0; i < t.count; i++) {
      const Entry& e = t.rows[i];
      if (e.promise == nullptr) {
        exports.Set(e.name, Napi::Function::New(env, e.sync, e.name));
        continue;
      }
      std::string sync = std::string(e.name) + "Sync";
      exports.Set(sync, Napi::Function::New(env, e.sync, sync));
      exports.Set(e.name, Napi::Function::New(env, e.promise, e.name));
    }
  }
}

}  // namespace sockcall
