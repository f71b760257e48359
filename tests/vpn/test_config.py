"""qlib.vpn.config: each side's TOML file, and errors that name the field.

No root needed: only parsing and validation.
"""

from __future__ import annotations

import copy
import tomllib

import pytest

from qlib.vpn.config import ConfigError, load_config, parse_config, parse_endpoint

PUBLIC = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

SERVER = f"""
[interface]
name = "qvsrv0"
addresses = ["10.99.0.1/24"]
listen_port = 51820
private_key_file = "server.key"

[peer]
public_key = "{PUBLIC}"
allowed_ips = ["10.99.0.2/32"]

[key_service]
address = "10.231.0.1:8443"
ca_file = "ca.pem"
auth = "certificate"
cert_file = "server.pem"
key_file = "server-key.pem"
crl_file = "ca-crl.pem"
rotation_period = 120
"""

CLIENT = f"""
[interface]
name = "qvcli0"
addresses = ["10.99.0.2/24", "fd99::2/64"]
private_key_file = "/etc/qvpn/client.key"

[peer]
public_key = "{PUBLIC}"
allowed_ips = ["10.99.0.1/32"]
endpoint = "10.231.0.1:51820"
persistent_keepalive = 25

[key_service]
address = "10.231.0.1:8443"
ca_file = "ca.pem"
server_name = "vpn.example"
auth = "password"
username = "alice"
password_file = "alice.pass"
rotation_period = 0.5
"""


def test_a_server_file_reads_into_its_fields(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text(SERVER)
    config = load_config(path, "server")
    assert config.role == "server"
    assert config.interface.name == "qvsrv0"
    assert config.interface.listen_port == 51820
    assert config.interface.private_key_file == tmp_path / "server.key"  # relative to the file's folder
    assert config.peer.endpoint is None  # the server learns it from the client's handshake
    assert config.key_service.auth == "certificate"
    assert config.key_service.cert_file == tmp_path / "server.pem"
    assert config.key_service.rotation_period == 120.0
    assert config.key_service.crl_file == tmp_path / "ca-crl.pem"


def test_a_client_file_with_password_mode_reads_into_its_fields(tmp_path):
    path = tmp_path / "client.toml"
    path.write_text(CLIENT)
    config = load_config(path, "client")
    assert config.interface.addresses == ("10.99.0.2/24", "fd99::2/64")
    assert str(config.interface.private_key_file) == "/etc/qvpn/client.key"  # absolute stays absolute
    assert config.interface.listen_port is None
    assert config.peer.endpoint == "10.231.0.1:51820"
    assert config.peer.persistent_keepalive == 25
    assert (config.key_service.username, config.key_service.password_file) == ("alice", tmp_path / "alice.pass")


@pytest.mark.parametrize("section, key", [
    ("interface", "name"), ("interface", "addresses"), ("interface", "listen_port"),
    ("interface", "private_key_file"), ("peer", "public_key"), ("peer", "allowed_ips"),
    ("key_service", "address"), ("key_service", "ca_file"), ("key_service", "auth"),
    ("key_service", "cert_file"), ("key_service", "key_file"), ("key_service", "crl_file"),
    ("key_service", "rotation_period"),
])
def test_a_missing_field_of_the_server_is_named(section, key):
    data = tomllib.loads(SERVER)
    del data[section][key]
    with pytest.raises(ConfigError, match=rf"^{section}\.{key} is missing"):
        parse_config(data, "server")


@pytest.mark.parametrize("section, key", [("peer", "endpoint"), ("key_service", "username"),
                                          ("key_service", "password_file"), ("key_service", "server_name")])
def test_a_missing_field_of_the_client_is_named(section, key):
    data = tomllib.loads(CLIENT)
    del data[section][key]
    with pytest.raises(ConfigError, match=rf"^{section}\.{key} is missing"):
        parse_config(data, "client")


def test_a_password_mode_server_needs_its_password_db_and_a_certificate_client_its_files():
    data = tomllib.loads(SERVER)
    data["key_service"]["auth"] = "password"
    with pytest.raises(ConfigError, match=r"^key_service\.password_db is missing \(auth = 'password': the scrypt"):
        parse_config(data, "server")
    data["key_service"]["password_db"] = "passwords"
    assert parse_config(data, "server", base="/srv").key_service.password_db.as_posix() == "/srv/passwords"
    data = tomllib.loads(CLIENT)
    data["key_service"]["auth"] = "certificate"
    with pytest.raises(ConfigError, match=r"^key_service\.cert_file is missing \(auth = 'certificate' needs it\)"):
        parse_config(data, "client")


def test_a_missing_section_is_named():
    data = tomllib.loads(CLIENT)
    del data["key_service"]
    with pytest.raises(ConfigError, match=r"^\[key_service\] is missing"):
        parse_config(data, "client")


@pytest.mark.parametrize("section, key", [("interface", "listen_prot"), ("peer", "presharedkey"),
                                          ("key_service", "pasword_file")])
def test_an_unknown_key_is_named_with_the_known_ones(section, key):
    data = tomllib.loads(CLIENT)
    data[section][key] = 1
    with pytest.raises(ConfigError, match=rf"^{section}\.{key} is not a known key \(known: "):
        parse_config(data, "client")


def test_an_unknown_section_is_named():
    data = tomllib.loads(CLIENT)
    data["peers"] = {}
    with pytest.raises(ConfigError, match=r"^peers is not a known section"):
        parse_config(data, "client")


@pytest.mark.parametrize("section, key, value, message", [
    ("interface", "addresses", ["10.99.0.300/24"], r"interface\.addresses\[0\] must be an address with prefix"),
    ("interface", "addresses", ["10.99.0.2/24", "not-an-ip"], r"interface\.addresses\[1\] must be an address"),
    ("interface", "addresses", [], r"interface\.addresses must be a non-empty list"),
    ("interface", "addresses", "10.99.0.2/24", r"interface\.addresses must be a non-empty list"),
    ("peer", "allowed_ips", ["10.99.0.1/24"], r"peer\.allowed_ips\[0\] must be a network .*host bits set"),
    ("peer", "endpoint", "10.231.0.256:51820", r"peer\.endpoint must be '<IP address>:<port>', got "
                                                r"'10\.231\.0\.256:51820' \(bad address"),
    ("peer", "endpoint", "10.231.0.1", r"peer\.endpoint must be '<IP address>:<port>'.*\(no port\)"),
    ("peer", "endpoint", "fd00::1:51820", r"peer\.endpoint.*(bad address|brackets)"),
    ("peer", "endpoint", "10.231.0.1:0", r"peer\.endpoint must have a port in \[1, 65535\]"),
    ("peer", "endpoint", "10.231.0.1:65536", r"peer\.endpoint must have a port in \[1, 65535\]"),
    ("peer", "public_key", "not base64!", r"peer\.public_key must be 32 bytes in base64"),
    ("peer", "persistent_keepalive", 0, r"peer\.persistent_keepalive must be an integer in \[1, 65535\]"),
    ("interface", "listen_port", 0, r"interface\.listen_port must be an integer in \[1, 65534\].*got 0"),
    ("interface", "listen_port", 65535, r"interface\.listen_port must be an integer in \[1, 65534\] \(the "
                                        r"standby interface uses listen_port \+ 1\), got 65535"),
    ("peer", "endpoint", "10.231.0.1:65535", r"peer\.endpoint must have a port in \[1, 65534\]"),
    ("interface", "listen_port", True, r"interface\.listen_port must be an integer .*got True"),
    ("interface", "listen_port", "51820", r"interface\.listen_port must be an integer .*got '51820'"),
    ("interface", "name", "much-too-long-name0", r"interface\.name must be 1 to 14 characters"),
    ("interface", "name", "fifteen-chars-x", r"interface\.name must be 1 to 14 characters .*<name>b"),
    ("interface", "name", "wg0; rm -rf /", r"interface\.name must be 1 to 14 characters"),
    ("key_service", "auth", "token", r"key_service\.auth must be one of \('certificate', 'password'\), got 'token'"),
    ("key_service", "rotation_period", 0, r"key_service\.rotation_period must be a positive number"),
    ("key_service", "rotation_period", float("nan"), r"key_service\.rotation_period must be a positive number"),
    ("key_service", "address", "localhost:8443", r"key_service\.address must be '<IP address>:<port>'"),
])
def test_a_bad_value_is_named_with_what_is_allowed(section, key, value, message):
    data = tomllib.loads(CLIENT)
    data[section][key] = copy.deepcopy(value)
    with pytest.raises(ConfigError, match=message):
        parse_config(data, "client")


def test_a_file_that_is_not_toml_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[interface]\nname = qvsrv0\n")
    with pytest.raises(ConfigError, match=r"broken\.toml is not valid TOML: .*line 2"):
        load_config(path, "server")


def test_errors_from_a_file_carry_its_path(tmp_path):
    path = tmp_path / "server.toml"
    path.write_text(SERVER.replace("listen_port = 51820", "listen_port = 99999"))
    with pytest.raises(ConfigError, match=rf"^{path}: interface\.listen_port must be an integer in \[1, 65534\]"):
        load_config(path, "server")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.toml cannot be read"):
        load_config(tmp_path / "nowhere.toml", "server")


def test_the_role_is_checked():
    with pytest.raises(ValueError, match=r"role must be one of \('server', 'client'\), got 'peer'"):
        parse_config(tomllib.loads(SERVER), "peer")


def test_an_ipv6_endpoint_in_brackets_is_accepted():
    assert parse_endpoint("[fd00::1]:51820") == "[fd00::1]:51820"
