"""CPython contenders for `npm run bench`: the loops a Python programmer
would write, with the socket module alone.

    contender.py rt-recvfrom        send, then recvfrom(2048)
    contender.py rt-recvfrom_into   send, then recvfrom_into(a reused bytearray)
    contender.py gso                getsockopt(SOL_SOCKET, SO_ERROR)
    contender.py recv               receive throughput (see bench/c/bench.c)
    contender.py pending N          N threads blocked in recvfrom

All but `pending` speak bench/lib/proc.ts's protocol: "ready {json}", then
one JSON line for each "run N [ROUND]" on stdin, until "quit".
"""
import json
import socket
import struct
import sys
import threading
import time

PAYLOAD = b"\x01" * 64
END_SEQ = 0xFFFFFFFF
WINDOW = 64


def udp_pair():
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    b.bind(("127.0.0.1", 0))
    a.connect(b.getsockname())
    b.connect(a.getsockname())
    return a, b


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def runs():
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            return
        if parts[0] == "run":
            yield int(parts[1]), int(parts[2]) if len(parts) > 2 else 0


def rt_recvfrom():
    a, b = udp_pair()
    say("ready {}")
    send, recvfrom = a.send, b.recvfrom
    for n, _ in runs():
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(PAYLOAD)
            data, address = recvfrom(2048)
        say(json.dumps({"ns": time.perf_counter_ns() - t0, "n": n}))


def rt_recvfrom_into():
    a, b = udp_pair()
    buf = bytearray(2048)
    say("ready {}")
    send, recvfrom_into = a.send, b.recvfrom_into
    for n, _ in runs():
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(PAYLOAD)
            nbytes, address = recvfrom_into(buf)
        say(json.dumps({"ns": time.perf_counter_ns() - t0, "n": n}))


def gso():
    a, b = udp_pair()
    say("ready {}")
    getsockopt, SOL_SOCKET, SO_ERROR = a.getsockopt, socket.SOL_SOCKET, socket.SO_ERROR
    for n, _ in runs():
        errors = 0
        t0 = time.perf_counter_ns()
        for _ in range(n):
            errors += getsockopt(SOL_SOCKET, SO_ERROR)
        say(json.dumps({"ns": time.perf_counter_ns() - t0, "n": n, "errors": errors}))


def recv():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    say("ready " + json.dumps({"port": s.getsockname()[1]}))
    buf = bytearray(2048)
    recvfrom_into = s.recvfrom_into
    unpack = struct.Struct("<II").unpack_from
    for _, rnd in runs():
        say("armed")
        count = 0
        first = end = 0
        while True:
            k, address = recvfrom_into(buf)
            if k < 8:
                continue
            r, seq = unpack(buf)
            if r != rnd:
                continue
            if seq == END_SEQ:
                end = time.perf_counter_ns()
                break
            if count == 0:
                first = time.perf_counter_ns()
            count += 1
        say(json.dumps({"ns": end - first if count else 0, "received": count}))


def status_field(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return -1


def pending(n):
    a, b = udp_pair()
    left = [n]
    lock = threading.Lock()
    done = threading.Event()

    def worker():
        b.recvfrom(2048)
        with lock:
            left[0] -= 1
            if left[0] == 0:
                done.set()

    rss0, threads0 = status_field("VmRSS"), status_field("Threads")
    t0 = time.perf_counter_ns()
    for _ in range(n):
        threading.Thread(target=worker, daemon=True).start()
    t1 = time.perf_counter_ns()
    time.sleep(0.3)
    rss1, threads1 = status_field("VmRSS"), status_field("Threads")
    t2 = time.perf_counter_ns()
    # At most WINDOW datagrams not yet taken by a thread (see bench.c).
    sent = 0
    while sent < n:
        with lock:
            taken = n - left[0]
        if sent - taken >= WINDOW:
            time.sleep(0)
            continue
        a.send(PAYLOAD)
        sent += 1
    done.wait()
    t3 = time.perf_counter_ns()
    say(json.dumps({
        "start_ns": t1 - t0, "resolve_ns": t3 - t2,
        "rss_before_kib": rss0, "rss_pending_kib": rss1,
        "threads_before": threads0, "threads_pending": threads1,
    }))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    modes = {"rt-recvfrom": rt_recvfrom, "rt-recvfrom_into": rt_recvfrom_into, "gso": gso, "recv": recv}
    if mode in modes:
        modes[mode]()
    elif mode == "pending" and len(sys.argv) == 3:
        pending(int(sys.argv[2]))
    else:
        sys.exit("usage: contender.py rt-recvfrom|rt-recvfrom_into|gso|recv|pending N")


if __name__ == "__main__":
    main()
