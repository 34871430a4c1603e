// The addon's entry point. Context-aware (NODE_API_MODULE): it loads in the
// main thread and in any number of worker_threads Workers, each with its own
// AddonData.
#include "addon.h"
#include "trace.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new sockcall::AddonData;
  static const char* const names[sockcall::kKeyCount] = {"family", "addr", "path",
                                                          "protocol", "ifindex", "hatype", "pkttype", "data"};
  napi_value keys;
  napi_create_array_with_length(env, sockcall::kKeyCount, &keys);
  for (uint32_t k = 0; k < sockcall::kKeyCount; k++) {
    napi_value key;
    napi_create_string_latin1(env, names[k], NAPI_AUTO_LENGTH, &key);
    napi_set_element(env, keys, k, key);
  }
  data->keys = Napi::Persistent(Napi::Object(env, keys));
  env.SetInstanceData(data);
  sockcall::trace::Init();
  sockcall::InitConstants(env, exports);
  sockcall::InitCalls(env, exports);
  sockcall::InitLookup(env, exports);
  sockcall::InitPromise(env, exports);
  return exports;
}

NODE_API_MODULE(sockcall, Init)
