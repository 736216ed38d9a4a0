"""The Dask probe completes a TLS handshake for ``tls://`` addresses, within the timeout, with clear refusals."""

from __future__ import annotations

import shutil
import socket
import ssl
import struct
import subprocess
import threading
from pathlib import Path

import pytest

from sim.research.sweep.dask_probe import probe_scheduler
from sim.research.sweep.layout import SweepError

DASK_HELLO = b"{'compression': None, 'python': (3, 12), 'pickle-protocol': 5}"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate and its key for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _serve(handle) -> int:
    """A local server on a free port that passes its one accepted connection to ``handle``."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)

    def serve() -> None:
        with server:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    handle(conn)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def _tls_server(certificate: tuple[Path, Path], first: bytes | None) -> int:
    """A TLS server that completes the handshake, then sends ``first`` (None: nothing) and waits."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)

    def handle(conn: socket.socket) -> None:
        with context.wrap_socket(conn, server_side=True) as tls:
            if first is not None:
                tls.sendall(first)
            tls.recv(1)

    return _serve(handle)


def test_a_tls_dask_scheduler_passes_after_a_handshake(certificate):
    port = _tls_server(certificate, struct.pack("<Q", len(DASK_HELLO)) + DASK_HELLO)
    probe_scheduler(f"tls://127.0.0.1:{port}", timeout=5)


def test_a_tls_server_that_says_nothing_after_the_handshake_is_refused(certificate):
    port = _tls_server(certificate, None)
    with pytest.raises(SweepError, match=r"--dask tls://127\.0\.0\.1:\d+: the listener sent nothing within 0\.5 s"):
        probe_scheduler(f"tls://127.0.0.1:{port}", timeout=0.5)


def test_a_tls_server_that_is_not_dask_is_refused(certificate):
    port = _tls_server(certificate, b"HTTP/1.1 400 Bad Request\r\n\r\n")
    with pytest.raises(SweepError, match="not a Dask scheduler"):
        probe_scheduler(f"tls://127.0.0.1:{port}", timeout=2)


def test_a_silent_plain_listener_given_as_tls_times_out_in_the_handshake():
    port = _serve(lambda conn: threading.Event().wait(3))  # reads nothing, answers nothing
    with pytest.raises(SweepError, match=r"no TLS handshake within 0\.5 s: the listener there does not speak TLS"):
        probe_scheduler(f"tls://127.0.0.1:{port}", timeout=0.5)


def test_a_plain_dask_like_listener_given_as_tls_fails_the_handshake():
    port = _serve(lambda conn: (conn.sendall(struct.pack("<Q", len(DASK_HELLO)) + DASK_HELLO), conn.recv(1)))
    with pytest.raises(SweepError, match=r"--dask tls://127\.0\.0\.1:\d+: .*TLS"):
        probe_scheduler(f"tls://127.0.0.1:{port}", timeout=2)


def test_a_closed_tls_port_is_refused():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()
    with pytest.raises(SweepError, match="cannot connect"):
        probe_scheduler(f"tls://127.0.0.1:{port}", timeout=0.5)


def test_a_real_dask_tls_scheduler_passes_with_the_configured_client_certificate(certificate):
    distributed = pytest.importorskip("distributed")
    import logging

    import dask

    cert, key = (str(path) for path in certificate)
    security = distributed.Security(
        tls_ca_file=cert, tls_scheduler_cert=cert, tls_scheduler_key=key, tls_client_cert=cert, tls_client_key=key
    )
    with distributed.LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tls",
        security=security,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(SweepError, match=r"TLS .*client certificate"):
            probe_scheduler(address, timeout=5)  # the scheduler asks for a client certificate: none configured
        tls = {"ca-file": cert, "client.cert": cert, "client.key": key}
        with dask.config.set({f"distributed.comm.tls.{name}": value for name, value in tls.items()}):
            probe_scheduler(address, timeout=5)
