// The addon's entry point. Context-aware (NODE_API_MODULE): it loads in the
// main thread and in any number of worker_threads Workers, each with its own
// AddonData.
#include "sockcall.h"
#include "trace.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new sockcall::AddonData);
  sockcall::trace::Init();
  sockcall::InitConstants(env, exports);
  sockcall::InitSyscalls(env, exports);
  sockcall::InitAsync(env, exports);
  return exports;
}

NODE_API_MODULE(sockcall, Init)
