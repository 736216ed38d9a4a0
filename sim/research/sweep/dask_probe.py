"""Checking a Dask scheduler address before the Dask client touches it: its form, and who answers there.

``--dask`` takes ``local`` or ``tcp://host:port`` / ``tls://host:port``; anything else is refused
in one line. Before a client connects, :func:`probe_scheduler` opens a plain socket with a
timeout and reads the first message a Dask scheduler sends on every new connection (its
handshake: an 8-byte little-endian length, then that many bytes). A closed port, a listener
that says nothing within the timeout, and one whose first bytes are not a plausible Dask frame
(a web server, a random service) are refused with a clear message, so the client never waits
forever or sizes a buffer from garbage. For a ``tls://`` address the probe first completes a TLS
handshake within the same timeout (with the client certificate of the Dask configuration
``distributed.comm.tls`` when one is set; otherwise without verifying the server's certificate,
since the probe only checks who answers), then reads the scheduler's first message through it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import struct
import time

from sim.research.sweep.layout import SweepError

DEFAULT_TIMEOUT_S = 10.0
"""Seconds to wait for a scheduler to accept and answer (``--dask-timeout``)."""
MAX_TIMEOUT_S = 3600.0
MAX_HANDSHAKE_BYTES = 1 << 20
"""The largest first message accepted from a scheduler (a real handshake is a few hundred bytes)."""
SCHEMES = ("tcp", "tls")
_ADDRESS = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})/?$"
)
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$")


def _shown(text: str) -> str:
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 200 else text[:197] + "..."


def parse_address(address: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a scheduler address ``tcp://host:port`` or ``tls://host:port``.

    Raises:
        SweepError: naming the address and the accepted forms.
    """
    forms = "use 'local' or a scheduler address such as tcp://host:8786 or tls://host:8786"
    match = _ADDRESS.match(address)
    if match is None:
        raise SweepError(f"--dask {_shown(address)!r}: not a Dask scheduler address; {forms}")
    scheme, host, port = match["scheme"], match["host"], int(match["port"])
    if scheme not in SCHEMES:
        raise SweepError(f"--dask {_shown(address)!r}: scheme {scheme}:// is not supported; {forms}")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise SweepError(f"--dask {_shown(address)!r}: {host} is not an IPv6 address; {forms}") from None
    elif not _HOST.match(host):
        raise SweepError(f"--dask {_shown(address)!r}: {_shown(host)!r} is not a host name; {forms}")
    if not 1 <= port <= 65535:
        raise SweepError(f"--dask {_shown(address)!r}: port {port} is outside 1..65535; {forms}")
    return scheme, host.strip("[]"), port


def check_timeout(timeout: float) -> float:
    """``timeout`` if it is a finite number of seconds in (0, MAX_TIMEOUT_S].

    Raises:
        SweepError: naming --dask-timeout and the bounds.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise SweepError(f"--dask-timeout must be a number of seconds in (0, {MAX_TIMEOUT_S:g}], got {timeout!r}")
    return float(timeout)


def _read_exactly(sock: socket.socket, count: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        piece = sock.recv(min(count - len(data), 65536))
        if not piece:
            raise ConnectionResetError
        data += piece
    return bytes(data)


def probe_scheduler(address: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Check that a Dask scheduler answers at ``address`` within ``timeout`` seconds.

    A ``tls://`` address must complete a TLS handshake within the timeout; the scheduler's first
    message is then read through the encrypted channel.

    Raises:
        SweepError: for a malformed address, a closed port, a silent listener or one that is
            not a Dask scheduler; each names the address.
    """
    scheme, host, port = parse_address(address)
    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    where = f"--dask {address}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise SweepError(f"{where}: no answer within {timeout:g} s (see --dask-timeout)") from None
    except OSError as exc:
        raise SweepError(
            f"{where}: cannot connect ({exc.strerror or exc}); is a Dask scheduler running there?"
        ) from None
    if scheme == "tls":
        sock = _tls_handshake(sock, host, deadline, where, timeout)
    with sock:
        try:
            (size,) = struct.unpack("<Q", _read_exactly(sock, 8, deadline))
            if not 0 < size <= MAX_HANDSHAKE_BYTES:
                raise ValueError
            body = _read_exactly(sock, size, deadline)
        except TimeoutError:
            message = f"the listener sent nothing within {timeout:g} s: not a Dask scheduler (see --dask-timeout)"
            raise SweepError(f"{where}: {message}") from None
        except ssl.SSLError as exc:
            raise SweepError(
                f"{where}: the TLS server there closed the connection ({_reason(exc)}); {TLS_HINT}"
            ) from None
        except (ValueError, OSError):
            raise SweepError(f"{where}: the listener there is not a Dask scheduler (unexpected reply)") from None
        if b"compression" not in body and b"pickle-protocol" not in body:
            raise SweepError(f"{where}: the listener there is not a Dask scheduler (unexpected handshake)")


TLS_HINT = (
    "is it a Dask scheduler with TLS, and does it need a client certificate "
    "(set distributed.comm.tls.ca-file, client.cert and client.key in the Dask configuration)?"
)


def _reason(exc: ssl.SSLError) -> str:
    return _shown(str(exc.reason or exc.strerror or type(exc).__name__).lower().replace("_", " "))


def tls_context() -> ssl.SSLContext:
    """The client TLS context of the Dask configuration, else one that accepts any server certificate.

    The probe checks liveness only: the Dask client that connects afterwards applies the
    configured verification itself.
    """
    try:
        from distributed import Security  # optional dependency

        context = Security().get_connection_args("client").get("ssl_context")
    except Exception:  # noqa: BLE001 - no distributed, or a configuration the client will report itself
        context = None
    if isinstance(context, ssl.SSLContext):
        return context
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _tls_handshake(sock: socket.socket, host: str, deadline: float, where: str, timeout: float) -> ssl.SSLSocket:
    """Complete a TLS handshake on ``sock`` before ``deadline``; refuse in one line otherwise.

    Raises:
        SweepError: when the handshake times out, fails, or the peer closes the connection.
    """
    try:
        wrapped = tls_context().wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
    except (ssl.SSLError, OSError, ValueError) as exc:
        sock.close()
        raise SweepError(f"{where}: cannot start a TLS connection ({exc})") from None
    try:
        wrapped.settimeout(max(deadline - time.monotonic(), 0.001))
        wrapped.do_handshake()
    except TimeoutError:
        wrapped.close()
        raise SweepError(
            f"{where}: no TLS handshake within {timeout:g} s: the listener there does not speak TLS, "
            "or is not a Dask scheduler (see --dask-timeout)"
        ) from None
    except ssl.SSLError as exc:
        wrapped.close()
        raise SweepError(f"{where}: the TLS handshake failed ({_reason(exc)}); {TLS_HINT}") from None
    except OSError as exc:
        wrapped.close()
        raise SweepError(
            f"{where}: the listener closed the connection during the TLS handshake ({exc.strerror or exc}); "
            "it does not speak TLS, or is not a Dask scheduler"
        ) from None
    return wrapped


def check_dask_address(address: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Check ``--dask`` (``local`` or a scheduler address) and ``--dask-timeout`` without connecting.

    Raises:
        SweepError: for a malformed address or timeout.
    """
    check_timeout(timeout)
    if address != "local":
        parse_address(address)
