# elohimd — build, run and test. `make help` lists the targets.
SWIFT ?= swift
PYTHON ?= python3

.PHONY: help deps build release run test test-swift test-e2e verify-units bench openrpc completions

help:
	@echo "make run      install dependencies, build release, run elohimd in the foreground (built-in defaults)"
	@echo "make test     install dependencies, build, run every test (Swift, end-to-end, systemd units)"
	@echo "make bench    run the benchmarks (Benchmarks/elohim-bench all)"
	@echo "make openrpc  regenerate Protocol/elohim.openrpc.json from the daemon"
	@echo "make completions  regenerate contrib/completions from the CLI"
	@echo "make install  build a release (static Swift runtime) and install it under PREFIX (default /usr/local; DESTDIR honoured)"
	@echo "make uninstall  remove exactly what make install installed (same PREFIX/DESTDIR)"
	@echo "make deb     build a Debian package with dpkg-deb ($(INSTALL_BUILD)/elohimd_VERSION_ARCH.deb)"
	@echo "make man     generate the manual pages into $(INSTALL_BUILD)/man"

deps:
	scripts/install-deps

build: deps
	$(SWIFT) build

# The Swift runtime is linked statically, as `make install` does: ~8 MiB less resident memory
# for the daemon and a faster start for every `elohim` and `elohim-status` a user or a bar spawns.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

run: release
	.build/release/elohimd

test: build
	$(SWIFT) test
	$(PYTHON) -m pytest -q Tests/e2e
	systemd/verify.sh "$(CURDIR)/.build/debug/elohimd"
	$(PYTHON) -m pytest -q Tests/install

bench: deps
	Benchmarks/elohim-bench all

openrpc: build
	.build/debug/elohimd --print-openrpc > Protocol/elohim.openrpc.json

completions: build
	for shell in bash zsh fish; do \
	  case $$shell in bash) f=elohim.bash;; zsh) f=_elohim;; fish) f=elohim.fish;; esac; \
	  .build/debug/elohim --generate-completion-script $$shell > contrib/completions/$$f; \
	done

# ---- Installing: make install / uninstall / man / deb ----------------------------------------
# `make install` builds a release in its own scratch path, with the Swift runtime (stdlib,
# Foundation, Dispatch) linked statically into each binary, so the installed binaries need only
# the distribution's shared libraries (ldd lists them; `make deb` turns them into Depends:).
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSTEMD_USER_UNIT_DIR ?= $(PREFIX)/lib/systemd/user
SYSTEMD_SYSTEM_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
INSTALL_BUILD ?= .build-install
# `make install STRIP=` keeps the symbols (names in crash backtraces; binaries about 1.7x larger).
STRIP ?= -s
DEB_MAINTAINER ?= ElohimOS maintainers <elohim@localhost>
# dpkg-deb's compression: xz -6 is Debian's default and the smallest (about 35 MB); the tests
# use -z1 (about 40 MB, a minute faster on two cores).
DEB_COMPRESS ?= -Zxz -z6

# No $ORIGIN RUNPATH: nothing is loaded from beside the installed binaries.
INSTALL_SWIFT_FLAGS = -c release --static-swift-stdlib --disable-local-rpath --scratch-path $(INSTALL_BUILD)
INSTALL_BIN = $(INSTALL_BUILD)/release
INSTALL_MAN = $(INSTALL_BUILD)/man
DEB_ROOT = $(INSTALL_BUILD)/deb/root
STATUS_BARS = waybar i3blocks polybar

.PHONY: install-build man install install-files uninstall deb

# Only the shipped products (not benchmark executables), and swift-argument-parser's
# generate-manual, which scripts/generate-man runs on them.
install-build: deps
	set -e; for product in elohimd elohim elohim-status generate-manual; do \
	  $(SWIFT) build $(INSTALL_SWIFT_FLAGS) --product $$product; \
	done

man: install-build
	scripts/generate-man $(INSTALL_BIN) $(INSTALL_MAN) >/dev/null

install: man
	@$(MAKE) --no-print-directory install-files

# Installs what install-build and man built, without building (e.g. `sudo make install-files`
# after building as yourself). The units' ExecStart= is rewritten to $(BINDIR)/elohimd.
install-files:
	@test -x $(INSTALL_BIN)/elohimd -a -f $(INSTALL_MAN)/man8/elohimd.8 || { echo "nothing built in $(INSTALL_BUILD): run make install (or make man) first" >&2; exit 1; }
	install -d -m 0755 $(DESTDIR)$(BINDIR)
	install -m 0755 $(STRIP) $(INSTALL_BIN)/elohimd $(INSTALL_BIN)/elohim $(INSTALL_BIN)/elohim-status $(DESTDIR)$(BINDIR)/
	set -e; for mode in user system; do \
	  case $$mode in user) dir='$(SYSTEMD_USER_UNIT_DIR)';; system) dir='$(SYSTEMD_SYSTEM_UNIT_DIR)';; esac; \
	  install -d -m 0755 "$(DESTDIR)$$dir"; \
	  for unit in elohimd.service elohimd.socket; do \
	    sed 's|/usr/local/bin/elohimd|$(BINDIR)/elohimd|g' systemd/$$mode/$$unit > "$(DESTDIR)$$dir/$$unit"; \
	    chmod 0644 "$(DESTDIR)$$dir/$$unit"; \
	  done; \
	done
	install -D -m 0644 contrib/completions/elohim.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/elohim
	install -D -m 0644 contrib/completions/_elohim $(DESTDIR)$(DATADIR)/zsh/site-functions/_elohim
	install -D -m 0644 contrib/completions/elohim.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/elohim.fish
	install -d -m 0755 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(INSTALL_MAN)/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(INSTALL_MAN)/man8/elohimd.8 $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 packaging/elohimd.json $(DESTDIR)$(DATADIR)/elohim/elohimd.json
	install -m 0644 contrib/README.md $(DESTDIR)$(DATADIR)/elohim/README.md
	set -e; for bar in $(STATUS_BARS); do \
	  if [ -d contrib/$$bar ]; then \
	    (cd contrib && find $$bar -type d) | while read -r d; do install -d -m 0755 "$(DESTDIR)$(DATADIR)/elohim/$$d"; done; \
	    (cd contrib && find $$bar -type f) | while read -r f; do \
	      if [ -x "contrib/$$f" ]; then m=0755; else m=0644; fi; install -m $$m "contrib/$$f" "$(DESTDIR)$(DATADIR)/elohim/$$f"; \
	    done; \
	  fi; \
	done

# Removes exactly what install-files puts there (man pages by their generated names:
# elohim.1, elohim.SUBCOMMAND….1, elohim-status.1, elohimd.8) and the share/elohim directory;
# shared directories (bin, man1, the unit and completion directories) stay.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/elohimd $(DESTDIR)$(BINDIR)/elohim $(DESTDIR)$(BINDIR)/elohim-status
	rm -f $(DESTDIR)$(SYSTEMD_USER_UNIT_DIR)/elohimd.service $(DESTDIR)$(SYSTEMD_USER_UNIT_DIR)/elohimd.socket
	rm -f $(DESTDIR)$(SYSTEMD_SYSTEM_UNIT_DIR)/elohimd.service $(DESTDIR)$(SYSTEMD_SYSTEM_UNIT_DIR)/elohimd.socket
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/elohim $(DESTDIR)$(DATADIR)/zsh/site-functions/_elohim $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/elohim.fish
	rm -f $(DESTDIR)$(MANDIR)/man1/elohim.1 $(DESTDIR)$(MANDIR)/man1/elohim.*.1 $(DESTDIR)$(MANDIR)/man1/elohim-status.1 $(DESTDIR)$(MANDIR)/man8/elohimd.8
	rm -f $(DESTDIR)$(DATADIR)/elohim/elohimd.json $(DESTDIR)$(DATADIR)/elohim/README.md
	set -e; for bar in $(STATUS_BARS); do rm -rf "$(DESTDIR)$(DATADIR)/elohim/$$bar"; done
	rmdir $(DESTDIR)$(DATADIR)/elohim 2>/dev/null || true

# A Debian package of the same files with PREFIX=/usr, the default configuration as the conffile
# /etc/elohim/elohimd.json, and packaging/debian's maintainer scripts (create the elohim
# group/user; never enable or start anything). Depends: comes from dpkg-shlibdeps on the binaries.
deb: man
	rm -rf $(INSTALL_BUILD)/deb
	$(MAKE) --no-print-directory install-files DESTDIR=$(abspath $(DEB_ROOT)) STRIP=-s PREFIX=/usr \
	  BINDIR=/usr/bin DATADIR=/usr/share MANDIR=/usr/share/man \
	  SYSTEMD_USER_UNIT_DIR=/usr/lib/systemd/user SYSTEMD_SYSTEM_UNIT_DIR=/usr/lib/systemd/system
	DEB_COMPRESS='$(DEB_COMPRESS)' scripts/build-deb $(DEB_ROOT) $(INSTALL_BUILD) '$(DEB_MAINTAINER)'
