# The README's two commands are `make book` and `make test`; both install what
# they need into .venv first (Python >= 3.11 required).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install browser vpn-tools vpn-demo book test bench serve clean student assignments grade feedback

$(STAMP): requirements.txt constraints.txt pyproject.toml tooling/pyproject.toml binder/overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# JupyterLab opens the chapters (.md) as notebooks through jupytext, as on Binder
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium, driven headless by the browser tests (Playwright's own
# browser download is not used).
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

# WireGuard in user space and the namespace tools, for the VPN's tests and demo
# (qlib.vpn; the kernel's WireGuard module is not needed).
vpn-tools:
	@command -v wireguard-go >/dev/null && command -v wg >/dev/null && command -v ip >/dev/null && command -v ping >/dev/null \
	  || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wireguard-go wireguard-tools iproute2 iputils-ping; }

# Two network namespaces, the VPN between them keyed by the post-quantum TLS 1.3
# key service, a 10 MB transfer with a key rotation during it; removes
# everything it made (root).
vpn-demo: install vpn-tools
	$(SUDO) $(BIN)/python -m qlib.vpn.demo

# Clean build: every chapter executed afresh, warnings are errors.
book: install
	$(BIN)/jupyter-book clean --all . >/dev/null
	$(BIN)/jupyter-book build . -W -n --keep-going

test: install browser vpn-tools
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/teleportation.py
	$(BIN)/python benchmarks/repeaters.py
	$(BIN)/python benchmarks/qkd.py
	$(BIN)/python benchmarks/pqc.py
	$(BIN)/python benchmarks/pq_tls.py
	$(BIN)/python benchmarks/keyrates.py
	$(BIN)/python benchmarks/beyond_plob.py
	$(BIN)/python benchmarks/networks.py
	$(BIN)/python benchmarks/grading.py
	$(BIN)/python benchmarks/hot_paths.py
	# the VPN between two namespaces (root): rotation time, lost pings, throughput
	$(MAKE) vpn-tools
	$(SUDO) $(BIN)/python benchmarks/vpn.py
	# the static site's explorables in headless Chromium, on the built book
	test -f _build/html/index.html || $(MAKE) book
	$(MAKE) browser
	$(BIN)/python benchmarks/static_site.py

# The student edition: the site without any solution in _build/student/html, and
# each chapter's exercises as a notebook in _build/student/notebooks.
student: install
	$(BIN)/python -m qbook.student_edition

# nbgrader assignments from the chapters' exercises (source/ and release/ in COURSE),
# and the grading of one assignment's collected submissions:
#   make assignments [FORCE=1];  make grade ASSIGNMENT=teleportation
#   make feedback ASSIGNMENT=teleportation  (feedback from the graded notebooks alone)
# (an existing source/<chapter> is kept, with an instructor's edits, unless FORCE=1)
COURSE ?= _build/course
assignments: install
	$(BIN)/python -m qbook.assignments --course $(COURSE) $(if $(FORCE),--force)

grade: install
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=<chapter>"; exit 2; }
	$(BIN)/python -m qbook.grade $(ASSIGNMENT) --course $(COURSE)

feedback: install
	@test -n "$(ASSIGNMENT)" || { echo "usage: make feedback ASSIGNMENT=<chapter>"; exit 2; }
	$(BIN)/python -m qbook.feedback $(ASSIGNMENT) --course $(COURSE)

serve:
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build
