"""Print a TCP port free on 127.0.0.1, below the kernel's ephemeral range
where it can (tests/common.sh and tests/slapd/slapd-start.sh use it).

A port the kernel hands out for bind(0) is one it also hands to outgoing
connections: with tests running side by side, a client's curl or LDAP
connection took such a port before entcad bound it ("Address already in
use", seen under ASan and make -j2). Below the range only another listener
can take a port, and each picks at random.
"""
import random
import socket


def bindable(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def main():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 0
    if low > 11000:
        for _ in range(200):
            port = random.randrange(10000, low)
            if bindable(port):
                print(port)
                return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


main()
