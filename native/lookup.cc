// Functions of the C library that are not system calls, beside the calls
// (no trace line: the system calls they make, if any, are glibc's own, as
// CPython's are).
#include "sockaddr.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netdb.h>

#include <climits>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sockcall {
namespace {

// getaddrinfo(host | null, service | null, family, socktype, protocol, flags)
Napi::Value Getaddrinfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host, service;
  bool has_host = false, has_service = false;
  for (int k = 0; k < 2; k++) {
    Napi::Value v = info[k];
    if (v.IsNull() || v.IsUndefined()) continue;
    if (!v.IsString()) ThrowTypeError(env, std::string(k == 0 ? "host" : "service") + " must be a string or null");
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) {
      ThrowTypeError(env, std::string(k == 0 ? "host" : "service") + " must not contain a NUL character");
    }
    if (k == 0) { host = s; has_host = true; } else { service = s; has_service = true; }
  }
  addrinfo hints{};
  hints.ai_family = ArgInt32(info, 2, "family");
  hints.ai_socktype = ArgInt32(info, 3, "socktype");
  hints.ai_protocol = ArgInt32(info, 4, "protocol");
  hints.ai_flags = ArgInt32(info, 5, "flags");
  addrinfo* res = nullptr;
  errno = 0;
  int code = getaddrinfo(has_host ? host.c_str() : nullptr, has_service ? service.c_str() : nullptr, &hints, &res);
  if (code != 0) ThrowGaiError(env, code);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("family", Napi::Number::New(env, p->ai_family));
    o.Set("socktype", Napi::Number::New(env, p->ai_socktype));
    o.Set("protocol", Napi::Number::New(env, p->ai_protocol));
    o.Set("canonname", p->ai_canonname ? Napi::Value(Napi::String::New(env, p->ai_canonname)) : env.Null());
    o.Set("address", MakeSockaddr(env, p->ai_addr, p->ai_addrlen));
    out.Set(i++, o);
  }
  freeaddrinfo(res);
  return out;
}

// inet_pton(af, text) -> Buffer of 4 or 16 bytes, or null when text is not
// an address of that family (inet_pton(3) returned 0).
Napi::Value InetPton(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt32(info, 0, "af");
  if (!info[1].IsString()) ThrowTypeError(env, "src must be a string");
  std::string s = info[1].As<Napi::String>().Utf8Value();
  unsigned char buf[sizeof(in6_addr)];
  if (s.find('\0') != std::string::npos) return env.Null();
  int r = inet_pton(af, s.c_str(), buf);
  if (r < 0) ThrowErrno(env, errno, "inet_pton");
  if (r == 0) return env.Null();
  return Napi::Buffer<char>::Copy(env, reinterpret_cast<char*>(buf), af == AF_INET ? 4 : 16);
}

Napi::Value InetNtop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int af = ArgInt32(info, 0, "af");
  Bytes b = ArgBytes(info, 1, "src");
  // An unknown family is inet_ntop(3)'s to refuse (EAFNOSUPPORT).
  size_t need = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
  if (need != 0 && b.len != need) {
    ThrowRangeError(env, "src must be " + std::to_string(need) + " bytes for this family, got " + std::to_string(b.len));
  }
  unsigned char in[16] = {};
  if (need != 0) memcpy(in, b.data, need);
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(af, in, text, sizeof text) == nullptr) ThrowErrno(env, errno, "inet_ntop");
  return Napi::String::New(env, text);
}

// struct sock_extended_err (linux/errqueue.h), as IP_RECVERR and
// IPV6_RECVERR control messages carry it, followed by the offender's address
// (SO_EE_OFFENDER). Not a system call: the layout is the headers'.
Napi::Value SockExtendedErr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes b = ArgBytes(info, 0, "data");
  if (b.len < sizeof(sock_extended_err)) {
    ThrowRangeError(env, "data must hold a struct sock_extended_err (" + std::to_string(sizeof(sock_extended_err)) +
                    " bytes), got " + std::to_string(b.len));
  }
  sock_extended_err ee;
  memcpy(&ee, b.data, sizeof ee);
  Napi::Object o = Napi::Object::New(env);
  o.Set("ee_errno", Napi::Number::New(env, ee.ee_errno));
  o.Set("ee_origin", Napi::Number::New(env, ee.ee_origin));
  o.Set("ee_type", Napi::Number::New(env, ee.ee_type));
  o.Set("ee_code", Napi::Number::New(env, ee.ee_code));
  o.Set("ee_pad", Napi::Number::New(env, ee.ee_pad));
  o.Set("ee_info", Napi::Number::New(env, ee.ee_info));
  o.Set("ee_data", Napi::Number::New(env, ee.ee_data));
  size_t rest = b.len - sizeof ee;
  Napi::Value offender = env.Null();
  if (rest >= sizeof(sa_family_t)) {
    sockaddr_storage ss{};
    memcpy(&ss, b.data + sizeof ee, rest < sizeof ss ? rest : sizeof ss);
    socklen_t len = static_cast<socklen_t>(rest < sizeof ss ? rest : sizeof ss);
    // The kernel fills the offender only for errors from the network; a
    // local error leaves it AF_UNSPEC.
    if (ss.ss_family != AF_UNSPEC) offender = MakeSockaddr(env, reinterpret_cast<sockaddr*>(&ss), len);
  }
  o.Set("offender", offender);
  return o;
}

Napi::Value IfNametoindex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowTypeError(env, "ifname must be a string");
  std::string s = info[0].As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) ThrowTypeError(env, "ifname must not contain a NUL character");
  errno = 0;
  unsigned idx = if_nametoindex(s.c_str());
  if (idx == 0) ThrowErrno(env, errno ? errno : ENODEV, "if_nametoindex");
  return Napi::Number::New(env, idx);
}

Napi::Value IfIndextoname(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t idx = ArgUint32(info, 0, "ifindex");
  char name[IF_NAMESIZE];
  if (if_indextoname(idx, name) == nullptr) ThrowErrno(env, errno, "if_indextoname");
  return Napi::String::New(env, name);
}

// gethostname(2)'s name (glibc asks uname(2)).
Napi::Value Gethostname(const Napi::CallbackInfo& info) {
  char name[HOST_NAME_MAX + 1];
  if (gethostname(name, sizeof name) != 0) ThrowErrno(info.Env(), errno, "gethostname");
  name[HOST_NAME_MAX] = '\0';
  return Napi::String::New(info.Env(), name);
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsString()) ThrowTypeError(info.Env(), std::string(name) + " must be a string");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  if (s.find('\0') != std::string::npos) ThrowTypeError(info.Env(), std::string(name) + " must not contain a NUL character");
  return s;
}

// A struct hostent as CPython's gethost_common() returns it: [name,
// aliases, addresses], each address as inet_ntop(3) writes it; or, when the
// resolver found nothing, { herror: h_errno, message: hstrerror(h_errno) }
// for lib/ to raise socket.herror with.
Napi::Value Hostent(Napi::Env env, const hostent* h, int herr) {
  if (h == nullptr) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("herror", Napi::Number::New(env, herr));
    o.Set("message", Napi::String::New(env, hstrerror(herr)));
    return o;
  }
  Napi::Array aliases = Napi::Array::New(env);
  uint32_t n = 0;
  for (char** p = h->h_aliases; p != nullptr && *p != nullptr; p++) aliases.Set(n++, Napi::String::New(env, *p));
  Napi::Array addrs = Napi::Array::New(env);
  n = 0;
  for (char** p = h->h_addr_list; p != nullptr && *p != nullptr; p++) {
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(h->h_addrtype, *p, text, sizeof text) != nullptr) addrs.Set(n++, Napi::String::New(env, text));
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::String::New(env, h->h_name != nullptr ? h->h_name : ""));
  out.Set(1u, aliases);
  out.Set(2u, addrs);
  return out;
}

// gethostbyname_r(3), as CPython's gethostbyname_ex() calls it (a 16 KiB
// buffer; ERANGE is the buffer's, retried larger).
Napi::Value GethostbynameEx(const Napi::CallbackInfo& info) {
  std::string name = StringArg(info, 0, "name");
  hostent h{}, *res = nullptr;
  int herr = 0;
  std::vector<char> buf(16384);
  while (gethostbyname_r(name.c_str(), &h, buf.data(), buf.size(), &res, &herr) == ERANGE && buf.size() < (1u << 24)) {
    buf.resize(buf.size() * 2);
  }
  return Hostent(info.Env(), res, herr);
}

// gethostbyaddr_r(3) of a packed address (4 or 16 bytes, as the family says).
Napi::Value Gethostbyaddr(const Napi::CallbackInfo& info) {
  int af = ArgInt32(info, 0, "af");
  Bytes b = ArgBytes(info, 1, "addr");
  size_t need = af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0;
  if (need == 0 || b.len != need) ThrowRangeError(info.Env(), "addr must be 4 bytes for AF_INET or 16 for AF_INET6");
  unsigned char addr[16];
  memcpy(addr, b.data, need);
  hostent h{}, *res = nullptr;
  int herr = 0;
  std::vector<char> buf(16384);
  while (gethostbyaddr_r(addr, static_cast<socklen_t>(need), af, &h, buf.data(), buf.size(), &res, &herr) == ERANGE &&
         buf.size() < (1u << 24)) {
    buf.resize(buf.size() * 2);
  }
  return Hostent(info.Env(), res, herr);
}

// getnameinfo(3) of an address object -> [host, service]; a failure is gaierror.
Napi::Value Getnameinfo(const Napi::CallbackInfo& info) {
  Sockaddr sa;
  ParseSockaddr(info.Env(), info[0], "sockaddr", &sa);
  int flags = ArgInt32(info, 1, "flags");
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  int code = getnameinfo(sa.sa(), sa.len, host, sizeof host, serv, sizeof serv, flags);
  if (code != 0) ThrowGaiError(info.Env(), code);
  return MakePair(info.Env(), Napi::String::New(info.Env(), host), Napi::String::New(info.Env(), serv));
}

// getservbyname(3) -> the port, or null: not found is not an errno.
Napi::Value Getservbyname(const Napi::CallbackInfo& info) {
  std::string name = StringArg(info, 0, "servicename");
  std::string proto;
  bool has_proto = !info[1].IsNull() && !info[1].IsUndefined();
  if (has_proto) proto = StringArg(info, 1, "protocolname");
  servent s{}, *res = nullptr;
  char buf[4096];
  getservbyname_r(name.c_str(), has_proto ? proto.c_str() : nullptr, &s, buf, sizeof buf, &res);
  if (res == nullptr) return info.Env().Null();
  return Napi::Number::New(info.Env(), ntohs(static_cast<uint16_t>(res->s_port)));
}

// getservbyport(3) -> the name, or null.
Napi::Value Getservbyport(const Napi::CallbackInfo& info) {
  uint32_t port = ArgUint32(info, 0, "port");
  if (port > 65535) ThrowRangeError(info.Env(), "port must be 0-65535");
  std::string proto;
  bool has_proto = !info[1].IsNull() && !info[1].IsUndefined();
  if (has_proto) proto = StringArg(info, 1, "protocolname");
  servent s{}, *res = nullptr;
  char buf[4096];
  getservbyport_r(htons(static_cast<uint16_t>(port)), has_proto ? proto.c_str() : nullptr, &s, buf, sizeof buf, &res);
  if (res == nullptr) return info.Env().Null();
  return Napi::String::New(info.Env(), res->s_name);
}

// getprotobyname(3) -> the number, or null.
Napi::Value Getprotobyname(const Napi::CallbackInfo& info) {
  std::string name = StringArg(info, 0, "protocolname");
  protoent p{}, *res = nullptr;
  char buf[4096];
  getprotobyname_r(name.c_str(), &p, buf, sizeof buf, &res);
  if (res == nullptr) return info.Env().Null();
  return Napi::Number::New(info.Env(), res->p_proto);
}

// if_nameindex(3) -> [[index, name]...]; glibc asks rtnetlink.
Napi::Value IfNameindex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct if_nameindex* list = ::if_nameindex();
  if (list == nullptr) ThrowErrno(env, errno, "if_nameindex");
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (struct if_nameindex* p = list; p->if_index != 0 || p->if_name != nullptr; p++) {
    out.Set(n++, MakePair(env, Napi::Number::New(env, p->if_index), Napi::String::New(env, p->if_name)));
  }
  if_freenameindex(list);
  return out;
}

// inet_aton(3), which takes the old forms inet_pton refuses ("127.1",
// "0x7f.1") -> 4 bytes, or null.
Napi::Value InetAton(const Napi::CallbackInfo& info) {
  std::string s = StringArg(info, 0, "ip_string");
  in_addr a{};
  if (inet_aton(s.c_str(), &a) == 0) return info.Env().Null();
  return Napi::Buffer<char>::Copy(info.Env(), reinterpret_cast<const char*>(&a), 4);
}

}  // namespace

void InitLookup(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("getaddrinfo", Getaddrinfo);
  fn("inet_pton", InetPton);
  fn("inet_ntop", InetNtop);
  fn("sock_extended_err", SockExtendedErr);
  fn("if_nametoindex", IfNametoindex);
  fn("if_indextoname", IfIndextoname);
  fn("gethostname", Gethostname);
  fn("gethostbyname_ex", GethostbynameEx);
  fn("gethostbyaddr", Gethostbyaddr);
  fn("getnameinfo", Getnameinfo);
  fn("getservbyname", Getservbyname);
  fn("getservbyport", Getservbyport);
  fn("getprotobyname", Getprotobyname);
  fn("if_nameindex", IfNameindex);
  fn("inet_aton", InetAton);
}

}  // namespace sockcall
