"""The servers listen on the configured interface only (127.0.0.1 here), never on every interface."""
from __future__ import annotations

from pathlib import Path
from typing import Set, Tuple

LISTEN = "0A"  # the TCP state of a listening socket in /proc/net/tcp


def listening() -> Set[Tuple[str, int]]:
    """(address, port) of every listening IPv4 socket on this machine."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == LISTEN:
            address, port = local.split(":")
            found.add((".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)), int(port, 16)))
    return found


def test_the_action_server_and_the_rasa_server_listen_on_localhost_only(bot):
    sockets = listening()
    for port in (bot.settings.action_port, bot.settings.rasa_port):
        addresses = {address for address, p in sockets if p == port}
        assert addresses == {"127.0.0.1"}, (port, addresses)
