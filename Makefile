# PixelPilot: one-command set-up, demo, tests and benchmarks on Debian 12 with the Swift toolchain.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/pixelpilot

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES = libopenblas-dev libpng-dev libjpeg62-turbo-dev libx11-dev libxext-dev libxtst-dev libxi-dev libxfixes-dev \
               xvfb x11-utils xauth libsqlite3-dev
# What `make bench` needs besides: the peers xdotool and scrot (pyautogui's screenshot backend).
BENCH_PACKAGES = xdotool scrot

.PHONY: all deps install-packages build test demo bench bench-stitch bench-autopilot bench-policy bench-drive fixtures models format lint clean

all: build

## deps: install the Debian packages that are missing (needs root or sudo).
deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEB_PACKAGES)"

install-packages:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## build: release build of the pixelpilot command.
build: deps
	$(SWIFT) build -c $(CONFIG) --product pixelpilot
	$(SWIFT) build -c $(CONFIG) --product pixelpilot-guardian

## test: every test (unit, parity with PyTorch, X11 under a private Xvfb), in release mode.
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing

## demo: the main demo on a virtual display (no game needed).
demo: build
	$(BIN) demo --out demo-output

## bench: TensorKit against PyTorch, TensorFlow/Keras, ONNX Runtime and TFLite (sets up its own venv).
bench: build
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BENCH_PACKAGES)"
	Benchmarks/run.sh

## models: retrain the built-in cell classifier (Sources/StashSorter/Resources/gem-classifier.safetensors)
## on drawn gems only (plain and game-style cells), then measure it on the real crops when present.
MODEL_DIR = .build/models
models: build
	rm -rf $(MODEL_DIR) && mkdir -p $(MODEL_DIR)
	$(BIN) dataset gems --out $(MODEL_DIR)/gems --per-class 300 --style mixed --seed 1
	$(BIN) train classifier $(MODEL_DIR)/gems --out $(MODEL_DIR)/gem-classifier.safetensors --epochs 25 --seed 1
	cp $(MODEL_DIR)/gem-classifier.safetensors Sources/StashSorter/Resources/gem-classifier.safetensors
	@if [ -d ../shared/data/gems ]; then $(BIN) eval Sources/StashSorter/Resources/gem-classifier.safetensors ../shared/data/gems; fi

## bench-stitch: only the stitching benchmark (layout reader vs the seed's OpenCV SIFT method).
bench-stitch: build
	Benchmarks/setup_peers.sh
	Benchmarks/stitch.sh .venv-bench/bin/python

## bench-autopilot: recording (late frames, bytes per frame) and windowed-data-set speed (Benchmarks/autopilot.sh).
bench-autopilot: build
	Benchmarks/autopilot.sh 10

## bench-drive: the default policy's driving on 5 unseen tracks against the expert, and play's step time (README).
bench-drive: build
	$(BIN) drive bench --out .build/bench-drive --train-tracks 1-8 --test-tracks 101-105 --flip --play-seconds 60

## bench-policy: the seed's policy network and its kernels against TFLite, ONNX Runtime, Keras and PyTorch.
bench-policy: build
	Benchmarks/setup_peers.sh
	Benchmarks/policy.sh

## fixtures: regenerate the PyTorch parity fixtures (needs PyTorch in .venv; not needed by tests).
fixtures:
	tools/setup_venv.sh && .venv/bin/python tools/make_fixtures.py

## format: format every Swift source with the project's .swift-format (width 120); lint: check it.
format:
	$(SWIFT) format format -i -r --configuration .swift-format Sources Tests

lint:
	$(SWIFT) format lint -r --configuration .swift-format Sources Tests

clean:
	rm -rf .build demo-output
