// struct sockaddr <-> JavaScript objects, for the families sockcall names:
//   AF_INET    { family, addr: '127.0.0.1', port }
//   AF_INET6   { family, addr: '::1', port, flowinfo, scope_id }
//   AF_UNIX    { family, path }   path: a string (passed with its final NUL)
//                                 or bytes (passed as they are); a leading
//                                 NUL byte is Linux's abstract namespace
//                                 (unix(7))
//   AF_PACKET  { family, protocol, ifindex, hatype, pkttype, addr }  (packet(7))
//   AF_UNSPEC  { family }         connect(2) with it dissolves a UDP association
// Addresses of other families come back as { family, data } (the bytes after
// sa_family) and cannot be passed in.
#include "sockaddr.h"

#include "trace.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/un.h>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace sockcall {
namespace {

// A numeric address string for inet_pton(3). Reads at most INET6_ADDRSTRLEN
// bytes, whatever the string's length.
void GetIp(Napi::Env env, Napi::Object o, const char* name, int af, void* dst) {
  Napi::Value v = o.Get("addr");
  const char* expect = af == AF_INET ? " must be an IPv4 address string such as '127.0.0.1'"
                                     : " must be an IPv6 address string such as '::1'";
  if (!v.IsString()) ThrowTypeError(env, std::string(name) + ".addr" + expect);
  char buf[INET6_ADDRSTRLEN + 1];
  size_t total = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &total);
  if (total >= sizeof buf) ThrowTypeError(env, std::string(name) + ".addr" + expect);
  size_t copied = 0;
  napi_get_value_string_utf8(env, v, buf, sizeof buf, &copied);
  // An embedded NUL would make inet_pton see a shorter string than JS has.
  if (copied != total || strlen(buf) != total || inet_pton(af, buf, dst) != 1) {
    ThrowTypeError(env, std::string(name) + ".addr" + expect);
  }
}

}  // namespace

void ParseSockaddr(Napi::Env env, Napi::Value v, const char* name, Sockaddr* out) {
  if (!v.IsObject() || v.IsArray()) {
    ThrowTypeError(env, std::string(name) +
                   " must be an address object such as { family: AF_INET, addr: '127.0.0.1', port: 1060 }");
  }
  Napi::Object o = v.As<Napi::Object>();
  int family = static_cast<int>(FieldInt(env, o, "family", name, 0, 65535));
  memset(&out->ss, 0, sizeof out->ss);
  switch (family) {
    case AF_INET: {
      auto* sin = reinterpret_cast<sockaddr_in*>(&out->ss);
      sin->sin_family = AF_INET;
      GetIp(env, o, name, AF_INET, &sin->sin_addr);
      sin->sin_port = htons(static_cast<uint16_t>(FieldInt(env, o, "port", name, 0, 65535)));
      out->len = sizeof *sin;
      return;
    }
    case AF_INET6: {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out->ss);
      sin6->sin6_family = AF_INET6;
      GetIp(env, o, name, AF_INET6, &sin6->sin6_addr);
      sin6->sin6_port = htons(static_cast<uint16_t>(FieldInt(env, o, "port", name, 0, 65535)));
      sin6->sin6_flowinfo = htonl(static_cast<uint32_t>(FieldInt(env, o, "flowinfo", name, 0, UINT32_MAX, true)));
      sin6->sin6_scope_id = static_cast<uint32_t>(FieldInt(env, o, "scope_id", name, 0, UINT32_MAX, true));
      out->len = sizeof *sin6;
      return;
    }
    case AF_UNIX: {
      auto* sun = reinterpret_cast<sockaddr_un*>(&out->ss);
      sun->sun_family = AF_UNIX;
      Napi::Value p = o.Get("path");
      size_t n = 0;
      if (p.IsString()) {
        napi_get_value_string_utf8(env, p, nullptr, 0, &n);
        if (n > sizeof sun->sun_path) {
          ThrowRangeError(env, (std::string(name) + ".path") + " is longer than sun_path's " +
                          std::to_string(sizeof sun->sun_path) + " bytes");
        }
        // A string is a C string: its terminating NUL is part of the
        // address, as CPython passes it ("including the tailing NUL",
        // getsockaddrarg). napi writes the NUL too, hence one byte more.
        char tmp[sizeof sun->sun_path + 1];
        napi_get_value_string_utf8(env, p, tmp, sizeof tmp, &n);
        // A NUL inside would cut the path there: the kernel reads a C string
        // (unix(7)). CPython's PyUnicode_FSConverter refuses it ("embedded
        // null byte"); an abstract name is a Buffer's to give.
        if (memchr(tmp, '\0', n) != nullptr) {
          ThrowTypeError(env, (std::string(name) + ".path") +
                                  " must not contain a NUL character (an abstract or binary name is a Buffer)");
        }
        if (n < sizeof sun->sun_path) n++;
        memcpy(sun->sun_path, tmp, n);
      } else {
        Bytes b;
        if (!ToBytes(p, &b)) {
          ThrowTypeError(env, (std::string(name) + ".path") + " must be a string or a Buffer");
        }
        if (b.len > sizeof sun->sun_path) {
          ThrowRangeError(env, (std::string(name) + ".path") + " is longer than sun_path's " +
                          std::to_string(sizeof sun->sun_path) + " bytes");
        }
        n = b.len;
        if (n > 0) memcpy(sun->sun_path, b.data, n);
      }
      // Bytes are passed as they are: the length counts exactly them.
      out->len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
      return;
    }
    case AF_PACKET: {
      auto* sll = reinterpret_cast<sockaddr_ll*>(&out->ss);
      sll->sll_family = AF_PACKET;
      // sll_protocol is in network byte order (packet(7)); callers give the
      // ETH_P_* value as the header defines it.
      sll->sll_protocol = htons(static_cast<uint16_t>(FieldInt(env, o, "protocol", name, 0, 65535, true)));
      sll->sll_ifindex = static_cast<int>(FieldInt(env, o, "ifindex", name, INT32_MIN, INT32_MAX));
      sll->sll_hatype = static_cast<uint16_t>(FieldInt(env, o, "hatype", name, 0, 65535, true));
      sll->sll_pkttype = static_cast<uint8_t>(FieldInt(env, o, "pkttype", name, 0, 255, true));
      Napi::Value a = o.Get("addr");
      if (!a.IsUndefined()) {
        Bytes b;
        if (!ToBytes(a, &b)) ThrowTypeError(env, (std::string(name) + ".addr") + " must be a Buffer");
        if (b.len > sizeof sll->sll_addr) {
          ThrowRangeError(env, (std::string(name) + ".addr") + " is longer than sll_addr's 8 bytes");
        }
        sll->sll_halen = static_cast<uint8_t>(b.len);
        if (b.len > 0) memcpy(sll->sll_addr, b.data, b.len);
      }
      out->len = sizeof *sll;
      return;
    }
    case AF_UNSPEC: {
      out->ss.ss_family = AF_UNSPEC;
      out->len = sizeof(sockaddr);
      return;
    }
    default:
      ThrowRangeError(env, (std::string(name) + ".family") + " " + std::to_string(family) +
                      " is not one sockcall can encode (AF_INET, AF_INET6, AF_UNIX, AF_PACKET, AF_UNSPEC)");
  }
}

namespace {

// Dotted decimal, as inet_ntop(3) writes it, without its trip through
// vfprintf (a third of a received address's cost, measured).
size_t FormatIPv4(const in_addr& a, char* out) {
  const auto* b = reinterpret_cast<const unsigned char*>(&a.s_addr);
  char* p = out;
  for (int i = 0; i < 4; i++) {
    unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i < 3) *p++ = '.';
  }
  return static_cast<size_t>(p - out);
}

}  // namespace

Napi::Value MakeSockaddr(Napi::Env env, const sockaddr* sa, socklen_t len) {
  if (len == 0) return env.Null();
  if (len < sizeof(sa_family_t)) {
    ObjectBuilder o(env);
    o.Int(kFamily, AF_UNSPEC);
    o.Bytes(kData, reinterpret_cast<const char*>(sa), len);
    return o.Value();
  }
  int family = sa->sa_family;
  char text[INET6_ADDRSTRLEN];
  // AF_INET and AF_INET6, the addresses of every received datagram, are
  // made by lib/'s object literals (CallMaker): built here property by
  // property they were most of a getsockname(2)'s cost (perf; 3.2 µs a call
  // became 1.7 µs).
  AddonData* d = GetData(env);
  if (family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    napi_value argv[3];
    napi_create_int32(env, family, &argv[0]);
    napi_create_string_latin1(env, text, FormatIPv4(sin->sin_addr, text), &argv[1]);
    napi_create_uint32(env, ntohs(sin->sin_port), &argv[2]);
    return CallMaker(env, d->make_inet, argv, 3);
  }
  if (family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    napi_value argv[5];
    napi_create_int32(env, family, &argv[0]);
    napi_create_string_latin1(env, text, strlen(text), &argv[1]);
    napi_create_uint32(env, ntohs(sin6->sin6_port), &argv[2]);
    napi_create_uint32(env, ntohl(sin6->sin6_flowinfo), &argv[3]);
    napi_create_uint32(env, sin6->sin6_scope_id, &argv[4]);
    return CallMaker(env, d->make_inet6, argv, 5);
  }
  ObjectBuilder o(env);
  o.Int(kFamily, family);
  if (family == AF_UNIX) {
    // The kernel's length: the path's bytes (with a final NUL for a bound
    // pathname socket), none for an unnamed one (unix(7), "Address format").
    size_t n = len - offsetof(sockaddr_un, sun_path);
    o.Bytes(kPath, reinterpret_cast<const sockaddr_un*>(sa)->sun_path, n);
    return o.Value();
  }
  if (family == AF_PACKET && len >= offsetof(sockaddr_ll, sll_addr)) {
    auto* sll = reinterpret_cast<const sockaddr_ll*>(sa);
    o.Int(kProtocol, ntohs(sll->sll_protocol));
    o.Int(kIfindex, sll->sll_ifindex);
    o.Int(kHatype, sll->sll_hatype);
    o.Int(kPkttype, sll->sll_pkttype);
    size_t halen = sll->sll_halen;
    size_t room = len - offsetof(sockaddr_ll, sll_addr);
    if (halen > room) halen = room;
    if (halen > sizeof sll->sll_addr) halen = sizeof sll->sll_addr;
    o.Bytes(kAddr, reinterpret_cast<const char*>(sll->sll_addr), halen);
    return o.Value();
  }
  o.Bytes(kData, reinterpret_cast<const char*>(sa) + sizeof(sa_family_t), len - sizeof(sa_family_t));
  return o.Value();
}

void NameOut::Arm() {
  memset(&sa.ss, 0, sizeof sa.ss);
  sa.len = given;
}

Napi::Value NameOut::Make(Napi::Env env) const {
  if (!want) return env.Null();
  socklen_t n = sa.len < given ? sa.len : given;
  return MakeSockaddr(env, sa.sa(), n);
}

bool NameOut::Ipv4(uint32_t* addr, uint16_t* port) const {
  // As Make(): what the kernel wrote, within the room given.
  socklen_t n = sa.len < given ? sa.len : given;
  if (!want || n < sizeof(sockaddr_in) || sa.sa()->sa_family != AF_INET) return false;
  auto* sin = reinterpret_cast<const sockaddr_in*>(sa.sa());
  *addr = ntohl(sin->sin_addr.s_addr);
  *port = ntohs(sin->sin_port);
  return true;
}

Napi::Value NameOut::Pair(Napi::Env env, napi_value first) const {
  uint32_t addr;
  uint16_t port;
  if (Ipv4(&addr, &port)) {
    // Two calls of lib/'s (the address, then the pair) were 3,200 of the
    // 5,800 instructions of a Promise-form recvfrom's delivery (callgrind).
    napi_value argv[3] = {first, nullptr, nullptr};
    napi_create_uint32(env, addr, &argv[1]);
    napi_create_uint32(env, port, &argv[2]);
    return CallMaker(env, GetData(env)->make_pair_inet, argv, 3);
  }
  return MakePair(env, first, Make(env));
}

std::string NameOut::Trace(bool ok) const {
  if (!want) return "NULL, NULL";
  return trace::SockaddrOut(sa.sa(), given, sa.len, ok) + ", " + trace::Socklen(given, sa.len, ok);
}

}  // namespace sockcall
