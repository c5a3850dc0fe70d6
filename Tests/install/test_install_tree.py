"""`make install` / `make uninstall`: what lands where, and that the installed things work —
the binaries without the build tree, the units under `systemd-analyze verify`, the manual
pages under `man`, the completions and the default configuration."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat

from conftest import REPO, Tree, clean_env, make, run, short_tempdir

PAGES_8 = ["man8/elohimd.8"]


def expected_files(prefix: str) -> set[str]:
    """Every file a PREFIX install puts down, except the per-subcommand manual pages."""
    p = prefix.lstrip("/")
    return {
        f"{p}/bin/elohimd",
        f"{p}/bin/elohim",
        f"{p}/bin/elohim-status",
        f"{p}/lib/systemd/user/elohimd.service",
        f"{p}/lib/systemd/user/elohimd.socket",
        f"{p}/lib/systemd/system/elohimd.service",
        f"{p}/lib/systemd/system/elohimd.socket",
        f"{p}/share/bash-completion/completions/elohim",
        f"{p}/share/zsh/site-functions/_elohim",
        f"{p}/share/fish/vendor_completions.d/elohim.fish",
        f"{p}/share/man/man1/elohim.1",
        f"{p}/share/man/man1/elohim-status.1",
        f"{p}/share/man/man8/elohimd.8",
        f"{p}/share/elohim/elohimd.json",
        f"{p}/share/elohim/README.md",
    }


def subcommands(help_text: str) -> list[str]:
    """The names under SUBCOMMANDS: in `elohim --help`."""
    section = help_text.split("SUBCOMMANDS:", 1)[1]
    names = []
    for line in section.splitlines()[1:]:
        if not line.strip():
            break
        match = re.match(r"^  (\S+)", line)
        if match:
            names.append(match.group(1))
    return names


def test_install_puts_every_file_in_place_with_its_mode(installed):
    files = set(installed.files())
    missing = expected_files("/usr/local") - files
    assert not missing, f"make install did not install {sorted(missing)}"
    contrib_bars = {d for d in ("waybar", "i3blocks", "polybar") if os.path.isdir(os.path.join(REPO, "contrib", d))}
    for path in files:
        inside = path.split("/")[2] if path.startswith("usr/local/") else None
        assert inside in {"bin", "lib", "share"}, f"{path} is outside PREFIX/{{bin,lib,share}}"
        if path.startswith("usr/local/share/elohim/") and path.count("/") > 4:
            assert path.split("/")[4] in contrib_bars, f"unexpected {path}"
    for name in ("elohimd", "elohim", "elohim-status"):
        mode = stat.S_IMODE(os.stat(installed.bin(name)).st_mode)
        assert mode == 0o755, f"bin/{name} has mode {oct(mode)}"
    for path in files:
        if "/bin/" in path:
            continue
        expected = 0o644
        if path.count("/") > 4 and path.startswith("usr/local/share/elohim/"):
            # Status-bar configs keep their executable bit (click handlers, scripts).
            source = os.path.join(REPO, "contrib", path.split("/", 4)[4])
            expected = 0o755 if os.access(source, os.X_OK) else 0o644
        mode = stat.S_IMODE(os.stat(os.path.join(installed.destdir, path)).st_mode)
        assert mode == expected, f"{path} has mode {oct(mode)}, expected {oct(expected)}"


def test_installed_units_start_the_installed_daemon(installed):
    for mode, flags in (("user", ""), ("system", " --system")):
        service = open(installed.path("lib/systemd", mode, "elohimd.service")).read()
        exec_start = re.findall(r"^ExecStart=(.*)$", service, re.M)
        assert exec_start == [f"/usr/local/bin/elohimd{flags}"]
        source = open(os.path.join(REPO, "systemd", mode, "elohimd.socket")).read()
        assert open(installed.path("lib/systemd", mode, "elohimd.socket")).read() == source


def test_prefix_usr_puts_units_where_systemd_looks_and_rewrites_exec_start(built):
    destdir = short_tempdir("eh-usr")
    try:
        make("install-files", DESTDIR=destdir, PREFIX="/usr")
        tree = Tree(destdir=destdir, prefix="/usr")
        assert expected_files("/usr") <= set(tree.files())
        for mode in ("user", "system"):
            service = open(tree.path("lib/systemd", mode, "elohimd.service")).read()
            assert "/usr/local" not in service
            assert re.search(r"^ExecStart=/usr/bin/elohimd( --system)?$", service, re.M)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


def test_installed_cli_runs_from_a_clean_environment(installed, workdir):
    env = clean_env(os.path.join(workdir, "home"))
    help_text = run([installed.bin("elohim"), "--help"], env=env, cwd="/").stdout
    assert "USAGE: elohim" in help_text
    assert "doctor" in subcommands(help_text)
    version = run([installed.bin("elohim"), "--version"], env=env, cwd="/").stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version)
    assert run([installed.bin("elohimd"), "--version"], env=env, cwd="/").stdout.strip() == version
    status = run([installed.bin("elohim-status"), "--socket", os.path.join(workdir, "none.sock")], env=env, cwd="/")
    assert "offline" in status.stdout


def test_installed_daemon_checks_its_configuration(installed, workdir):
    home = os.path.join(workdir, "home")
    env = clean_env(home)
    result = run([installed.bin("elohimd"), "--check-config"], env=env, cwd="/")
    assert "configuration ok" in result.stdout
    assert f"data_dir:        {home}/data/elohim" in result.stdout
    assert f"socket:          {home}/run/elohim/elohimd.sock" in result.stdout

    # The shipped default configuration is valid, and is what the daemon then reads.
    default = installed.path("share/elohim/elohimd.json")
    json.load(open(default))
    os.makedirs(os.path.join(home, "config", "elohim"))
    shutil.copy(default, os.path.join(home, "config", "elohim", "elohimd.json"))
    result = run([installed.bin("elohimd"), "--check-config"], env=env, cwd="/")
    assert f"file:            {home}/config/elohim/elohimd.json" in result.stdout

    # A bad key is named, with a non-zero exit.
    with open(os.path.join(home, "config", "elohim", "elohimd.json"), "w") as bad:
        bad.write('{"log_levle": "info"}')
    result = run([installed.bin("elohimd"), "--check-config"], env=env, cwd="/", check=False)
    assert result.returncode != 0
    assert "log_levle" in result.stderr


def test_installed_binaries_carry_the_swift_runtime(installed):
    """Static Swift stdlib: ldd shows only distribution libraries, nothing from the toolchain
    or the repository, and no RUNPATH makes the loader look beside the binary."""
    toolchain = os.path.dirname(os.path.dirname(os.path.realpath(shutil.which("swift") or "/opt/swift/usr/bin/swift")))
    for name in ("elohimd", "elohim", "elohim-status"):
        binary = installed.bin(name)
        ldd = run(["ldd", binary]).stdout
        print(f"ldd {name}:\n{ldd}")
        assert "not found" not in ldd
        assert "libswift" not in ldd and "libFoundation" not in ldd and "libdispatch" not in ldd
        assert REPO not in ldd and toolchain not in ldd
        dynamic = run(["readelf", "-d", binary]).stdout
        assert "RPATH" not in dynamic and "RUNPATH" not in dynamic, dynamic
        # Stripped by default (STRIP=-s): no symbol table.
        assert ".symtab" not in run(["readelf", "-S", "-W", binary]).stdout


def verify_units(directory: str, mode: str, scratch: str) -> None:
    """`systemd-analyze verify` on the installed units, in place; any output is a failure.
    User units get `--user` with a throw-away XDG environment, as in systemd/verify.sh."""
    runtime = os.path.join(scratch, "runtime")
    for path in (runtime, os.path.join(scratch, "config"), os.path.join(scratch, "data")):
        os.makedirs(path, mode=0o700, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, XDG_CONFIG_HOME=os.path.join(scratch, "config"),
               XDG_DATA_HOME=os.path.join(scratch, "data"))
    argv = ["systemd-analyze", *(["--user"] if mode == "user" else []), "verify", "--man=no",
            "./elohimd.socket", "./elohimd.service"]
    result = run(argv, cwd=directory, env=env, check=False)
    output = (result.stdout + result.stderr).strip()
    if mode == "user" and result.returncode != 0 and output.startswith("Failed to initialize manager"):
        argv.remove("--user")
        result = run(argv, cwd=directory, env=env, check=False)
        output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and output == "", f"{mode} units in {directory}: exit {result.returncode}\n{output}"


def test_systemd_analyze_verifies_the_installed_units(built, workdir):
    """Installed without DESTDIR into a temporary PREFIX, so ExecStart= names a binary that
    exists and the files verified are exactly the installed ones."""
    prefix = os.path.join(workdir, "prefix")
    make("install-files", PREFIX=prefix)
    for mode in ("user", "system"):
        directory = os.path.join(prefix, "lib", "systemd", mode)
        assert f"ExecStart={prefix}/bin/elohimd" in open(os.path.join(directory, "elohimd.service")).read()
        verify_units(directory, mode, os.path.join(workdir, f"verify-{mode}"))


def test_manual_pages_render_for_every_command(installed, workdir):
    env = clean_env(os.path.join(workdir, "home"), MANWIDTH="80")
    mandir = installed.path("share/man")
    pages = sorted(
        os.path.join(section, name)
        for section in ("man1", "man8")
        for name in os.listdir(os.path.join(mandir, section))
    )
    names = subcommands(run([installed.bin("elohim"), "--help"], env=env).stdout)
    wanted = {"man1/elohim.1", "man1/elohim-status.1", *PAGES_8, *(f"man1/elohim.{name}.1" for name in names)}
    assert wanted <= set(pages), f"missing pages: {sorted(wanted - set(pages))}"
    for page in pages:
        result = run(["man", "--warnings", "-l", os.path.join(mandir, page)], env=env)
        assert result.stderr == "", f"{page}: {result.stderr}"
        text = result.stdout
        assert "NAME" in text and "SYNOPSIS" in text, f"{page} rendered without NAME/SYNOPSIS:\n{text[:500]}"
        title = os.path.basename(page).rsplit(".", 1)[0]
        command = title.replace(".", " ")
        assert command in text, f"{page} does not name '{command}'"

    # Found by name through the installed MANPATH, as a user would look them up.
    for query, header in (("elohimd", "ELOHIMD(8)"), ("elohim-status", "ELOHIM-STATUS(1)"), ("elohim.doctor", "ELOHIM.DOCTOR(1)")):
        assert header in run(["man", "-M", mandir, query], env=env).stdout

    # The doctor page documents its checks and exit codes; the elohim-status page its flags.
    doctor = run(["man", "-l", os.path.join(mandir, "man1/elohim.doctor.1")], env=env).stdout
    assert "--json" in doctor and "0700" in doctor
    usage = run([installed.bin("elohim-status"), "--help"], env=env).stdout
    assert usage.startswith("usage: elohim-status"), usage
    status_page = run(["man", "-l", os.path.join(mandir, "man1/elohim-status.1")], env=env).stdout
    for flag in re.findall(r"--[a-z][a-z-]*", usage):
        assert flag in status_page, f"elohim-status.1 lacks {flag} from its --help"


def test_installed_completions_are_the_commands_own(installed, workdir):
    env = clean_env(os.path.join(workdir, "home"))
    for shell, path in (
        ("bash", "share/bash-completion/completions/elohim"),
        ("zsh", "share/zsh/site-functions/_elohim"),
        ("fish", "share/fish/vendor_completions.d/elohim.fish"),
    ):
        generated = run([installed.bin("elohim"), "--generate-completion-script", shell], env=env).stdout
        assert open(installed.path(path)).read().strip() == generated.strip(), f"{path} is stale: run make completions"
    bash = run(["bash", "-c", f"source {installed.path('share/bash-completion/completions/elohim')} && complete -p elohim"])
    assert "elohim" in bash.stdout


def test_uninstall_removes_exactly_what_install_put_there(built):
    destdir = short_tempdir("eh-uninst")
    try:
        # Someone else's files in the same directories must survive.
        foreign = [
            "usr/local/bin/other-tool",
            "usr/local/share/man/man1/other.1",
            "usr/local/lib/systemd/user/other.service",
            "usr/local/share/bash-completion/completions/other",
        ]
        for path in foreign:
            os.makedirs(os.path.dirname(os.path.join(destdir, path)), exist_ok=True)
            open(os.path.join(destdir, path), "w").close()
        make("install-files", DESTDIR=destdir)
        tree = Tree(destdir=destdir, prefix="/usr/local")
        assert len(tree.files()) > len(foreign) + len(expected_files("/usr/local")) - 1
        make("uninstall", DESTDIR=destdir)
        assert tree.files() == sorted(foreign)
        assert not os.path.exists(tree.path("share/elohim"))
        # A second uninstall finds nothing to do and does not fail.
        make("uninstall", DESTDIR=destdir)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)
