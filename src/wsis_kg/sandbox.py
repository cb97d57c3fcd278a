"""Cut a process off from the network: a seccomp filter that lets `socket()` create only Unix sockets.

The query engine runs SERVICE with its own HTTP client, written in Rust, with no switch to turn it off;
patching Python's `socket` would not reach it. A seccomp filter works below every language: once it is
installed, `socket(AF_INET, ...)` and `socket(AF_INET6, ...)` fail with EACCES in every thread of this
process and in every thread and child it starts afterwards, and it cannot be removed. io_uring (which can open sockets
without the `socket` system call) and foreign system-call ABIs (32-bit, x32) are refused as well.
Supported on Linux x86-64 and AArch64; elsewhere `forbid_network` says why it could not.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct
import sys
import threading

# linux/audit.h, linux/seccomp.h, linux/filter.h
# audit arch, and the numbers of socket, io_uring_setup and seccomp
_ARCH = {"x86_64": (0xC000003E, 41, 425, 317), "aarch64": (0xC00000B7, 198, 425, 277)}
_X32_BIT = 0x40000000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # struct seccomp_data (arg0's low word, little-endian)


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _program(machine: str) -> bytes:
    arch, sys_socket, sys_io_uring_setup, _ = _ARCH[machine]
    deny = _RET_ERRNO | errno.EACCES
    ops = [
        _op(_LD_W_ABS, _OFF_ARCH),
        _op(_JEQ_K, arch, 1, 0),          # a foreign ABI (int 0x80, compat): refuse it whole
        _op(_RET_K, deny),
        _op(_LD_W_ABS, _OFF_NR),
    ]
    if machine == "x86_64":
        ops += [_op(_JGE_K, _X32_BIT, 0, 1), _op(_RET_K, deny)]  # the x32 ABI
    ops += [
        _op(_JEQ_K, sys_io_uring_setup, 0, 1),
        _op(_RET_K, deny),
        _op(_JEQ_K, sys_socket, 1, 0),
        _op(_RET_K, _RET_ALLOW),
        _op(_LD_W_ABS, _OFF_ARG0),
        _op(_JEQ_K, socket.AF_UNIX, 0, 1),
        _op(_RET_K, _RET_ALLOW),
        _op(_RET_K, deny),
    ]
    return b"".join(ops)


def network_blocked() -> bool:
    """True when this process cannot open an Internet socket."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError:
            continue
        return False
    return True


def forbid_network() -> str | None:
    """Install the filter in this process for good; None on success, else why it could not be done."""
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in _ARCH:
        return f"no seccomp filter for {sys.platform} on {machine or 'this machine'}"
    code = _program(machine)
    filters = ctypes.create_string_buffer(code, len(code))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = _Prog(len(code) // 8, ctypes.addressof(filters))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())}"
    # seccomp(2) with TSYNC puts every thread of the process under the filter, not only this one
    libc.syscall.restype = ctypes.c_long
    done = libc.syscall(ctypes.c_long(_ARCH[machine][3]), ctypes.c_uint(_SECCOMP_SET_MODE_FILTER),
                        ctypes.c_uint(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.c_void_p(ctypes.addressof(prog))) == 0
    if not done and ctypes.get_errno() == errno.ENOSYS and threading.active_count() == 1:
        done = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0) == 0
    if not done:
        return f"seccomp filter refused: {errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno())}"
    if not network_blocked():
        return "seccomp filter installed but an Internet socket could still be opened"
    return None


__all__ = ["forbid_network", "network_blocked"]
