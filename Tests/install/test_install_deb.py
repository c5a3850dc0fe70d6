"""`make deb`: the package dpkg-deb describes, and a real install / remove / purge cycle with
dpkg on this machine (the tests run as root, as CI does)."""

from __future__ import annotations

import glob
import os
import pwd
import grp
import re
import subprocess
import time

import pytest
from conftest import INSTALL_BUILD, REPO, clean_env, make, run

PACKAGE = "elohimd"
CONFFILE = "/etc/elohim/elohimd.json"
REQUIRED_DEPENDS = ("libc6", "libsystemd0", "libsqlite3-0", "libjson-c5", "adduser")


@pytest.fixture(scope="session")
def deb(built):
    make("deb", DEB_COMPRESS="-Zxz -z1")  # the shipped -z6 packs the same files, a minute slower
    version = run([os.path.join(INSTALL_BUILD, "release", "elohim"), "--version"]).stdout.strip()
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    path = os.path.join(INSTALL_BUILD, f"{PACKAGE}_{version}_{arch}.deb")
    assert os.path.isfile(path), f"make deb did not write {path}: {glob.glob(INSTALL_BUILD + '/*.deb')}"
    print(f"{path}: {os.path.getsize(path)} bytes")
    return {"path": path, "version": version, "arch": arch}


def control_fields(info: str) -> dict:
    fields = {}
    for line in info.splitlines():
        match = re.match(r"^ ([A-Z][A-Za-z-]+): (.*)$", line)
        if match:
            fields[match.group(1)] = match.group(2)
    return fields


def test_dpkg_deb_info_describes_the_package(deb):
    info = run(["dpkg-deb", "--info", deb["path"]]).stdout
    fields = control_fields(info)
    assert fields["Package"] == PACKAGE
    assert fields["Version"] == deb["version"]
    assert fields["Architecture"] == deb["arch"]
    depends = [part.strip().split(" ")[0] for part in fields["Depends"].split(",")]
    for package in REQUIRED_DEPENDS:
        assert package in depends, f"Depends: {fields['Depends']} lacks {package}"
    # The Swift runtime is inside the binaries: no Swift package to depend on.
    assert not any("swift" in package for package in depends)
    assert int(fields["Installed-Size"]) > 1000
    for script in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
        assert re.search(rf"^\s+\d+ bytes,\s+\d+ lines\s+\*?\s+{script}\b", info, re.M), f"no {script} in:\n{info}"
    assert run(["dpkg-deb", "--field", deb["path"], "Package"]).stdout.strip() == PACKAGE
    conffiles = run(["sh", "-c", f"dpkg-deb --ctrl-tarfile {deb['path']} | tar -xOf - ./conffiles"]).stdout
    assert conffiles.split() == [CONFFILE]
    postinst = run(["sh", "-c", f"dpkg-deb --ctrl-tarfile {deb['path']} | tar -xOf - ./postinst"]).stdout
    # Never enables or starts anything (try-restart only restarts a running daemon).
    assert not re.search(r"systemctl\s+(--\S+\s+)*(enable|start|restart|reload)\b", postinst)


def test_dpkg_contents_list_binaries_units_pages_and_the_conffile(deb):
    listing = run(["dpkg", "-c", deb["path"]]).stdout
    entries = {}
    for line in listing.splitlines():
        fields = line.split(None, 5)
        entries[fields[5].split(" -> ")[0]] = (fields[0], fields[1])
    for binary in ("elohimd", "elohim", "elohim-status"):
        assert entries[f"./usr/bin/{binary}"] == ("-rwxr-xr-x", "root/root")
    for path in (
        "./usr/lib/systemd/user/elohimd.service",
        "./usr/lib/systemd/user/elohimd.socket",
        "./usr/lib/systemd/system/elohimd.service",
        "./usr/lib/systemd/system/elohimd.socket",
        "./etc/elohim/elohimd.json",
        "./usr/share/elohim/elohimd.json",
        "./usr/share/man/man1/elohim.1.gz",
        "./usr/share/man/man1/elohim.doctor.1.gz",
        "./usr/share/man/man1/elohim-status.1.gz",
        "./usr/share/man/man8/elohimd.8.gz",
        "./usr/share/bash-completion/completions/elohim",
        "./usr/share/zsh/site-functions/_elohim",
        "./usr/share/fish/vendor_completions.d/elohim.fish",
        "./usr/share/doc/elohimd/README.Debian",
    ):
        assert entries.get(path) == ("-rw-r--r--", "root/root"), f"{path}: {entries.get(path)}"
    assert all(owner == "root/root" for _, owner in entries.values())
    assert not [path for path in entries if path.startswith("./usr/local")]


def dpkg(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """dpkg, retried while another dpkg/apt run on this machine holds the lock."""
    for _ in range(60):
        result = run(["dpkg", *arguments], check=False, timeout=300)
        if "dpkg frontend lock" not in result.stderr and "lock-frontend" not in result.stderr:
            break
        time.sleep(5)
    if check:
        assert result.returncode == 0, f"dpkg {' '.join(arguments)}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def package_status() -> str:
    result = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check=False)
    return result.stdout.strip() if result.returncode == 0 else "not-installed"


def running_from(path: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/exe") == path:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def account(kind: str):
    try:
        return pwd.getpwnam("elohim") if kind == "user" else grp.getgrnam("elohim")
    except KeyError:
        return None


@pytest.fixture
def clean_dpkg_state():
    """No elohimd package before and after; an `elohim` user or group that existed before the
    test (not made by this package) is put back after the purge removed it."""
    if package_status() != "not-installed":
        dpkg("--purge", PACKAGE)
    user, group = account("user"), account("group")
    yield
    if package_status() != "not-installed":
        dpkg("--purge", PACKAGE, check=False)
    if group and not account("group"):
        run(["groupadd", "--system", "-g", str(group.gr_gid), "elohim"], check=False)
    if user and not account("user"):
        run(["useradd", "--system", "-u", str(user.pw_uid), "-g", str(user.pw_gid), "-d", user.pw_dir,
             "-s", user.pw_shell, "elohim"], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="dpkg -i needs root (CI runs as root)")
def test_dpkg_installs_removes_and_purges_cleanly(deb, clean_dpkg_state, tmp_path):
    dpkg("-i", deb["path"])
    assert package_status() == "install ok installed"

    # postinst made the system account system mode runs as, and started nothing.
    user, group = account("user"), account("group")
    assert group is not None and user is not None
    assert user.pw_gid == group.gr_gid and user.pw_uid < 1000
    assert user.pw_dir == "/var/lib/elohim" and user.pw_shell.endswith("nologin")
    assert not running_from("/usr/bin/elohimd")
    assert not glob.glob("/etc/systemd/system/*.wants/elohimd.*") + glob.glob("/etc/systemd/user/*.wants/elohimd.*")
    assert re.search(r"^ExecStart=/usr/bin/elohimd --system$", open("/usr/lib/systemd/system/elohimd.service").read(), re.M)

    # Installing again (dpkg's upgrade path) keeps the same account: postinst is idempotent.
    dpkg("-i", deb["path"])
    assert account("user").pw_uid == user.pw_uid

    # The installed binaries work with the repository (and so every build tree) hidden:
    # a private mount namespace covers it with an empty tmpfs.
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = clean_env(str(home))
    socket_path, data_dir = f"{tmp_path}/d.sock", f"{tmp_path}/data"
    script = f"""
        set -e
        mount -t tmpfs none {REPO}
        test -z "$(ls -A {REPO})"
        for b in elohimd elohim elohim-status; do if ldd /usr/bin/$b | grep 'not found'; then exit 1; fi; done
        /usr/bin/elohim --help | grep -q doctor
        /usr/bin/elohimd --system --check-config --config {CONFFILE} | grep -q 'configuration ok'
        /usr/bin/elohimd --socket {socket_path} --data-dir {data_dir} & pid=$!
        for i in $(seq 200); do [ -S {socket_path} ] && break; sleep 0.05; done
        /usr/bin/elohim status --socket {socket_path}
        /usr/bin/elohim doctor --socket {socket_path}
        kill -TERM $pid; wait $pid
    """
    result = run(["unshare", "--mount", "sh", "-c", script], env=env, cwd="/", check=False)
    if "unshare failed" in result.stderr and "Operation not permitted" in result.stderr:
        pytest.skip("no mount namespaces here")
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "socket" in result.stdout and "elohimd is installed and working" in result.stdout

    # remove: binaries and units go, the conffile and the account stay.
    os.makedirs("/var/lib/elohim", exist_ok=True)
    open("/var/lib/elohim/elohim.db", "w").close()
    dpkg("-r", PACKAGE)
    assert package_status() == "deinstall ok config-files"
    for path in ("/usr/bin/elohimd", "/usr/bin/elohim", "/usr/lib/systemd/system/elohimd.service",
                 "/usr/lib/systemd/user/elohimd.socket", "/usr/share/man/man8/elohimd.8.gz"):
        assert not os.path.exists(path), f"{path} left after dpkg -r"
    assert os.path.isfile(CONFFILE)
    assert account("user") is not None

    # purge: the conffile, /var/lib/elohim and the account go too.
    dpkg("-P", PACKAGE)
    assert package_status() == "not-installed"
    assert not os.path.exists("/etc/elohim")
    assert not os.path.exists("/var/lib/elohim")
    assert account("user") is None and account("group") is None
