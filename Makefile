# Two commands set everything up on a fresh machine: `make play` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: play test lint bench clean screenshots e2e

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,serve,bench,cluster]"
	touch $(STAMP)

play: $(STAMP)
	$(BIN)/playground play

test: $(STAMP)
	$(BIN)/ruff check playground tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check playground tests benchmarks
	$(BIN)/mypy


# End to end, not in `make test` (about 6 minutes): a slow-reader websocket client and three
# headless Chromiums throttled 8x play the sandbox at 16x for 5 minutes without being dropped
# (the browser test is skipped without Debian's `chromium`).
e2e: $(STAMP)
	PLAYGROUND_E2E_SLOW_SECONDS=300 PLAYGROUND_E2E_BROWSERS=3 $(BIN)/python -m pytest -n 2 \
		-p no:cacheprovider -rP tests/serve/test_web_slow.py tests/serve/test_web_throttled.py

bench: $(STAMP)
	$(BIN)/python benchmarks/sim_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache

# README pictures: snapshot-test SVGs rendered to PNG by headless Chromium (Debian: apt-get
# install -y chromium), shrunk by pngquant if it is installed. Each entry is NAME=SVG under
# tests/tui/__snapshots__/; regenerate after updating those snapshots.
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)
SNAPSHOT_DIR := tests/tui/__snapshots__
SCREENSHOTS := \
	title=test_snapshots/test_title.svg \
	play=test_real_levels/test_real_gc_pause_frozen_holder[120x40].svg \
	campaign=test_real_levels/test_real_campaign_map.svg

screenshots:
	@test -n "$(CHROMIUM)" || { echo "make screenshots: no chromium found; install it with" \
		"'apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium)" >&2; exit 1; }
	@mkdir -p assets/screenshots
	@set -e; for entry in $(SCREENSHOTS); do \
		name=$${entry%%=*}; svg="$(SNAPSHOT_DIR)/$${entry#*=}"; \
		size=$$(sed -n 's/.*viewBox="0 0 \([0-9.]*\) \([0-9.]*\)".*/\1 \2/p' "$$svg" | head -1 \
			| awk '{printf "%d,%d", $$1 + 0.999, $$2 + 0.999}'); \
		"$(CHROMIUM)" --headless --no-sandbox --disable-gpu --hide-scrollbars \
			--force-device-scale-factor=1 --window-size=$$size \
			--screenshot="assets/screenshots/$$name.png" "file://$(CURDIR)/$$svg" 2>/dev/null; \
		if command -v pngquant >/dev/null; then pngquant --force --quality=80-95 --speed 1 \
			--output "assets/screenshots/$$name.png" "assets/screenshots/$$name.png"; \
		else echo "  (pngquant not found: the PNG stays large; apt-get install -y pngquant)"; fi; \
		echo "assets/screenshots/$$name.png ($$size) from $$svg"; \
	done
