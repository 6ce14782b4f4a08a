#!/usr/bin/env bash
# scripts/setup.sh — set up alstune on Debian 12 and run something.
#
#   scripts/setup.sh run     install dependencies, build, run the embedded default experiment
#   scripts/setup.sh test    install dependencies (+ test tools), build, run the whole test suite
#   scripts/setup.sh deps    only install the Debian packages
#   scripts/setup.sh build   install dependencies and build
#
# Idempotent and non-interactive; uses sudo only when not root.  Builds in the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

DEPS="build-essential autoconf automake libtool pkg-config libopenblas-openmp-dev libyaml-dev libgsl-dev gnuplot-nox"
TEST_DEPS="libcriterion-dev chromium python3 python3-numpy python3-scipy clang-14 libclang-rt-14-dev libomp-14-dev valgrind libopenmpi-dev openmpi-bin"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

install_deps() {
    local pkgs="$DEPS"
    [ "$mode" = test ] && pkgs="$pkgs $TEST_DEPS"
    local missing=""
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "setup: installing Debian packages:$missing"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    else
        echo "setup: Debian packages already installed"
    fi
}

build() {
    if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
        autoreconf -fi
    fi
    local flags="--disable-tests"
    [ "$mode" = test ] && flags=""
    if [ ! -f Makefile ] || [ "$(sed -n 's/^ac_cs_config=//p' config.status 2>/dev/null | tr -d "'")" != "$flags" ]; then
        ./configure $flags
    fi
    make -j"$(nproc)"
}

case "$mode" in
deps) install_deps ;;
build) install_deps; build ;;
run)
    install_deps; build
    ./alstune experiments/grid.yaml
    ;;
test)
    install_deps; build
    make -j"$(nproc)" check || { echo "setup: make check failed; see test-suite.log and tests/**/*.log" >&2; tail -n 60 test-suite.log 2>/dev/null >&2; exit 1; }
    ;;
*) echo "usage: scripts/setup.sh run|test|deps|build" >&2; exit 2 ;;
esac
