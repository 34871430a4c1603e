// struct sockaddr <-> JavaScript objects (sockaddr.cc says which families).
#pragma once

#include "args.h"

#include <sys/socket.h>

namespace sockcall {

struct Sockaddr {
  sockaddr_storage ss;
  socklen_t len = 0;
  sockaddr* sa() { return reinterpret_cast<sockaddr*>(&ss); }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&ss); }
};

// An address object such as { family: AF_INET, addr: '127.0.0.1', port: 1060 }.
void ParseSockaddr(Napi::Env env, Napi::Value v, const char* name, Sockaddr* out);
// null when len is 0 (no address, as recvfrom on a connected stream gives).
Napi::Value MakeSockaddr(Napi::Env env, const sockaddr* sa, socklen_t len);

// An address the kernel fills, in the room the caller chose (null: NULL
// pointers). The kernel reports the address's full length, which may
// exceed the room it was given (the address is then cut short): only what
// it wrote is decoded.
struct NameOut {
  bool want = false;
  socklen_t given = 0;
  Sockaddr sa;
  sockaddr* ptr() { return want ? sa.sa() : nullptr; }
  socklen_t* lenp() { return want ? &sa.len : nullptr; }
  void Arm();
  Napi::Value Make(Napi::Env env) const;
  // [first, the address]; an IPv4 one made with the pair by one call of
  // lib/'s (make_pair_inet), not two.
  Napi::Value Pair(Napi::Env env, napi_value first) const;
  // An AF_INET address the kernel wrote in full, in host order.
  bool Ipv4(uint32_t* addr, uint16_t* port) const;
  // strace's "addr, [given => got]", or "NULL, NULL".
  std::string Trace(bool ok) const;
};

}  // namespace sockcall
