# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv themselves.
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PYTHONPATH := $(CURDIR)/python

.PHONY: install demo test bench build analyse check clean

install: $(STAMP)

# Re-run only when the pinned requirements change; the .pth file puts python/ on the venv's path.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	echo "$(CURDIR)/python" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/cluster_finance.pth"
	touch $(STAMP)

demo: install
	$(PY) -m cluster_finance demo

# Two workers (the machine has two cores); tests of one file share a worker and its fixtures.
test: install
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: install
	$(PY) -m cluster_finance bench

build: install
	$(PY) -m cluster_finance build

analyse: install
	$(PY) -m cluster_finance analyse

check: install
	$(PY) -m cluster_finance check

clean:
	rm -rf build target logs reports
