# PixelPilot: one-command set-up, demo, tests and benchmarks on Debian 12 with the Swift toolchain.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/pixelpilot

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES = libopenblas-dev libpng-dev libjpeg62-turbo-dev libx11-dev libxext-dev libxtst-dev libxi-dev libxfixes-dev \
               xvfb x11-utils xauth libsqlite3-dev python3-numpy python3-h5py
# What `make bench` needs besides: the peers xdotool and scrot (pyautogui's screenshot backend), tkinter for
# Debian's python3 (pyautogui's import needs it) and python3-venv (Benchmarks/setup_peers.sh makes a venv).
BENCH_PACKAGES = xdotool scrot python3-tk python3-venv

# Where `make install` puts pixelpilot, pixelpilot-guardian and the built-in models (DESTDIR: staging root).
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps install-packages build install uninstall test demo demo-layout bench bench-stitch bench-autopilot bench-policy bench-drive bench-unet fixtures unet-fixtures models layout-models format lint clean
.PHONY: layout-vit-model bench-vit vit-fixtures keras-fixtures

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

## install: install pixelpilot and pixelpilot-guardian into $(DESTDIR)$(PREFIX)/bin and the built-in models
## (the build's PixelPilot_*.resources) into $(DESTDIR)$(PREFIX)/share/pixelpilot, where the program looks for them.
RELEASE_DIR = .build/$(CONFIG)
INSTALL_BIN = $(DESTDIR)$(PREFIX)/bin
INSTALL_SHARE = $(DESTDIR)$(PREFIX)/share/pixelpilot
install: build
	install -d "$(INSTALL_BIN)" "$(INSTALL_SHARE)"
	install -m 755 $(RELEASE_DIR)/pixelpilot $(RELEASE_DIR)/pixelpilot-guardian "$(INSTALL_BIN)/"
	@set -e; found=""; for f in $(RELEASE_DIR)/PixelPilot_*.resources/*; do \
	  [ -f "$$f" ] || continue; found=1; \
	  echo "install -m 644 $$f $(INSTALL_SHARE)/"; install -m 644 "$$f" "$(INSTALL_SHARE)/"; \
	done; \
	if [ -z "$$found" ]; then echo "no built-in models in $(RELEASE_DIR)/PixelPilot_*.resources" >&2; exit 1; fi

## uninstall: remove what `make install` put under $(DESTDIR)$(PREFIX) (same PREFIX and DESTDIR).
uninstall:
	rm -f "$(INSTALL_BIN)/pixelpilot" "$(INSTALL_BIN)/pixelpilot-guardian"
	@for f in $(sort $(notdir $(wildcard $(RELEASE_DIR)/PixelPilot_*.resources/* Sources/*/Resources/*))); do \
	  if [ -e "$(INSTALL_SHARE)/$$f" ]; then echo "rm -f $(INSTALL_SHARE)/$$f"; rm -f "$(INSTALL_SHARE)/$$f"; fi; \
	done
	@if [ -d "$(INSTALL_SHARE)" ]; then rmdir "$(INSTALL_SHARE)" 2>/dev/null || echo "kept $(INSTALL_SHARE): it holds other files"; fi

## test: every test (unit, parity with PyTorch, X11 under a private Xvfb), in release mode.
test: deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(SWIFT) test -c $(CONFIG) --skip-build --disable-swift-testing

## demo: the main demo on a virtual display (no game needed).
demo: build
	$(BIN) demo --out demo-output

## demo-layout: the layout reader's demo (map arena, live reader, guide overlay) on a virtual display.
demo-layout: build
	$(BIN) demo layout --output demo-output/layout

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
	@if [ -d ../shared/data/gems ]; then $(BIN) eval --model Sources/StashSorter/Resources/gem-classifier.safetensors ../shared/data/gems; fi

## bench-stitch: only the stitching benchmark (layout reader vs the original layout reader's OpenCV SIFT method).
bench-stitch: build
	Benchmarks/setup_peers.sh
	Benchmarks/stitch.sh .venv-bench/bin/python

## bench-autopilot: recording (late frames, bytes per frame) and windowed-data-set speed (Benchmarks/autopilot.sh).
bench-autopilot: build
	Benchmarks/autopilot.sh 10

## bench-drive: the default policy (disturbed expert drives, one DAgger round) on 15 unseen tracks against the
## expert, and play's step time (README, BENCHMARKS.md).
bench-drive: build
	$(BIN) drive bench --out .build/bench-drive --train-tracks 1-8 --test-tracks 101-115 --flip --epochs 10 --dagger 1 \
		--play-seconds 60

## bench-policy: the original autopilot's policy network and its kernels against TFLite, ONNX Runtime, Keras and PyTorch.
bench-policy: build
	Benchmarks/setup_peers.sh
	Benchmarks/policy.sh

## bench-unet: only the UNet benchmark (line quality vs the colour threshold, live update time, the original
## layout reader's network per 64 tiles against PyTorch and ONNX Runtime; Benchmarks/unet.sh).
bench-unet: build
	Benchmarks/setup_peers.sh
	Benchmarks/unet.sh .venv-bench/bin/python

## layout-models: retrain the committed small line-extraction UNet
## (Sources/LayoutReader/Resources/unet-small.safetensors) on arena frames.
layout-models: build
	mkdir -p $(MODEL_DIR)
	$(BIN) train unet --out $(MODEL_DIR)/unet-small.safetensors --steps 4000 --eval-every 200 --learning-rate 2e-3 --train-instances 2 --seed 1
	cp $(MODEL_DIR)/unet-small.safetensors Sources/LayoutReader/Resources/unet-small.safetensors

## keras-fixtures: regenerate the random Keras models KerasConversionTests converts (needs tf_keras).
keras-fixtures:
	Benchmarks/setup_peers.sh && .venv-bench/bin/python tools/make_keras_fixtures.py

## unet-fixtures: regenerate the UNet parity fixtures (Tests/TensorKitTests/Fixtures/unet; needs PyTorch).
unet-fixtures:
	tools/setup_venv.sh && .venv/bin/python tools/make_unet_fixtures.py
## layout-vit-model: retrain the default layout classifier (Sources/LayoutReader/Resources/layout-vit.safetensors)
## on the map arena (a 407k-parameter ViT of the original layout reader's design): 13 minutes on 90 layouts, 16 more from there,
## then 28 more on 720 layouts with touring explorations and fully revealed layouts (the runs are time-limited:
## a busier machine trains fewer steps), and evaluate it on 72 and 288 test walks of layouts that played no part in training or
## choosing (instances 4-11 and 28-59; train layout chooses on instances 0-3, the last stage on 12-27); the last stage
## trains 48 minutes on 2,700 layouts with the scripted player's walks.
layout-vit-model: build
	mkdir -p $(MODEL_DIR)
	$(BIN) train layout --out $(MODEL_DIR)/layout-vit-1.safetensors --width 128 --mlp 256 --instances 10 --paths 60 \
		--test-instances 4 --walk-seconds 120 --seconds 780 --eval-every 10 --seed 0
	$(BIN) train layout --out $(MODEL_DIR)/layout-vit-2.safetensors --resume $(MODEL_DIR)/layout-vit-1.safetensors \
		--width 128 --mlp 256 --instances 10 --paths 60 --test-instances 4 --walk-seconds 120 --seconds 960 \
		--eval-every 10 --seed 1
	$(BIN) train layout --out $(MODEL_DIR)/layout-vit.safetensors --resume $(MODEL_DIR)/layout-vit-2.safetensors \
		--width 128 --mlp 256 --instances 80 --paths 5 --tours 3 --full-layouts --test-instances 4 --walk-seconds 120 \
		--seconds 1680 --eval-every 10 --seed 2
	$(BIN) train layout --out $(MODEL_DIR)/layout-vit-4.safetensors --resume $(MODEL_DIR)/layout-vit.safetensors \
		--width 128 --mlp 256 --instances 40 --paths 1 --full-layouts --walks 1 --walk-every 6 --test-instances 4 \
		--walk-seconds 120 --seconds 600 --eval-every 10 --learning-rate 3e-4 --seed 3
	$(BIN) train layout --out $(MODEL_DIR)/layout-vit-7.safetensors --resume $(MODEL_DIR)/layout-vit-4.safetensors \
		--width 128 --mlp 256 --instances 300 --paths 1 --full-layouts --walks 1 --walk-every 6 --test-instances 16 \
		--first-test-instance 12 --choose-on expert --average-decay 0.998 --cosine-decay --learning-rate 3e-4 \
		--walk-seconds 120 --seconds 2880 --eval-every 50 --seed 7
	cp $(MODEL_DIR)/layout-vit-7.safetensors Sources/LayoutReader/Resources/layout-vit.safetensors
	$(BIN) layout evaluate Sources/LayoutReader/Resources/layout-vit.safetensors --test-instances 8 --first-instance 4 \
		--out $(MODEL_DIR)/layout-vit-eval
	$(BIN) layout evaluate Sources/LayoutReader/Resources/layout-vit.safetensors --test-instances 32 --first-instance 28 \
		--out $(MODEL_DIR)/layout-vit-eval-28-59

## bench-vit: the layout classifier (the original layout reader's ViT, batch 1) against PyTorch and ONNX Runtime.
bench-vit: build
	Benchmarks/setup_peers.sh
	Benchmarks/vit.sh .venv-bench/bin/python

## vit-fixtures: regenerate the layout classifier's PyTorch parity fixtures (Tests/LayoutReaderTests/Fixtures).
vit-fixtures:
	Benchmarks/setup_peers.sh && .venv-bench/bin/python tools/make_vit_fixtures.py

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
