"""`trialbot serve --rasa-servers N`: nginx's generated configuration, the connection budget, and
what serve refuses before starting anything (no server is started here)."""
from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from channels.locks import ENDPOINT_TYPE, RenewingInMemoryLockStore
from trialbot import cluster
from trialbot.config import Settings, load_settings

NGINX = Path("/usr/sbin/nginx")


def settings(**changes) -> Settings:
    return replace(load_settings(environ={}), tracker_store_url="sqlite:///:memory:", **changes)


def test_nginx_spreads_the_rest_channel_over_every_rasa_server_and_retries_on_the_next(tmp_path):
    three = settings(rasa_servers=3, rasa_port=7005, cluster_first_port=7011)
    config = cluster.nginx_config(three, tmp_path)
    assert [s.rasa_port for s in cluster.rasa_server_settings(three)] == [7011, 7012, 7013]
    for port in (7011, 7012, 7013):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" in config
    assert "listen 127.0.0.1:7005;" in config
    assert "proxy_next_upstream error http_502 http_503 non_idempotent;" in config
    assert "access_log off;" in config and str(tmp_path) in config


def test_nginx_accepts_the_generated_configuration(tmp_path):
    if not NGINX.exists():
        pytest.fail(f"No nginx at {NGINX}: `make /usr/sbin/nginx` installs Debian's package.", pytrace=False)
    command = cluster.nginx_command(settings(rasa_servers=2), tmp_path)
    checked = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_budget_counts_every_pool_against_max_connections():
    budget = cluster.ConnectionBudget(rasa_servers=2, per_rasa_server=5, others=15, available=97)
    assert budget.needed == 25 and budget.fits
    assert not cluster.ConnectionBudget(20, 5, 15, 97).fits
    assert settings(sql_pool_size=4, sql_max_overflow=1).rasa_environment()["SQL_POOL_SIZE"] == "4"


def test_several_rasa_servers_are_refused_without_a_shared_lock_store():
    problem = cluster.prepare(settings(rasa_servers=2, lock_store_url=None))
    assert problem and "lock_store_url" in problem
    assert cluster.prepare(settings(rasa_servers=0)) == "--rasa-servers must be at least 1"
    assert cluster.prepare(settings(rasa_servers=1)) is None  # one server on SQLite: nothing to check


def test_the_lock_store_the_configuration_names_is_the_channels_one():
    """The configuration names it without importing it (it loads no Rasa): the name must stay right."""
    environment = settings(lock_store_url="redis://127.0.0.1:6379/1").lock_store_environment()
    assert environment["TRIALBOT_LOCK_STORE_TYPE"] == ENDPOINT_TYPE
    one_server = settings().lock_store_environment()["TRIALBOT_LOCK_STORE_TYPE"]
    assert one_server == f"{RenewingInMemoryLockStore.__module__}.{RenewingInMemoryLockStore.__qualname__}"
