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

namespace {

void Register(Napi::Env env, Napi::Object exports, const std::string& name, napi_callback cb) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name.c_str(), name.size(), cb, nullptr, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

}  // namespace

void InitCalls(Napi::Env env, Napi::Object exports) {
  for (const Table& t : {kSocketCalls, kIoCalls, kWaitCalls}) {
    for (size_t i = 0; i < t.count; i++) {
      const Entry& e = t.rows[i];
      if (e.promise == nullptr) {
        Register(env, exports, e.name, e.sync);
        continue;
      }
      Register(env, exports, std::string(e.name) + "Sync", e.sync);
      Register(env, exports, e.name, e.promise);
    }
  }
}

}  // namespace sockcall
