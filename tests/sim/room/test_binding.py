"""The host listens on localhost unless asked for the local network."""

from __future__ import annotations

import pytest

from sim.errors import UsageError
from sim.room.host import ANY_ADDRESS, LOOPBACK, Host, bind_address, listen
from tests.sim.room.helpers import client, make_room


def test_localhost_unless_lan():
    assert bind_address(False) == LOOPBACK == "127.0.0.1"
    assert bind_address(True) == ANY_ADDRESS == "0.0.0.0"


def test_sockets_bind_where_asked():
    local = listen(False, 0)
    everywhere = listen(True, 0)
    try:
        assert local.getsockname()[0] == "127.0.0.1"
        assert everywhere.getsockname()[0] == "0.0.0.0"
    finally:
        local.close()
        everywhere.close()


def test_a_taken_port_is_a_usage_error():
    taken = listen(False, 0)
    try:
        with pytest.raises(UsageError, match="cannot listen"):
            listen(False, taken.getsockname()[1])
    finally:
        taken.close()


def test_a_local_host_refuses_other_host_names(tmp_path):
    room = make_room(tmp_path)
    local = client(room)
    assert local.get("/").status_code == 200
    assert local.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
    lan = client(room, lan=True)
    assert lan.get("/", headers={"host": "192.168.1.20:8000"}).status_code == 200


def test_host_addresses(tmp_path):
    room = make_room(tmp_path)
    host = Host(room, lan=False, port=0)
    try:
        assert host.url.startswith("http://127.0.0.1:")
        assert host.join_url.endswith(f"/?code={room.join_code}")
        assert room.facilitator_token in host.facilitator_url
        assert "this computer only" in host.banner()
    finally:
        host.sock.close()
