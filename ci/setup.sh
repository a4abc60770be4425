#!/usr/bin/env bash
# Installs everything Sohound needs to build, test and run, from Debian 12 packages.
# Idempotent: packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail

# Usage: ci/setup.sh [--run]. With --run, only what building Sohound and running the bundled
# examples needs (the main job, ci/examples.sh); without it, everything the tests need too.
mode=${1:-all}

# Building Sohound and running it on the bundled examples.
packages=(
  # toolchain and build
  build-essential g++-12 gcc-12 cmake ninja-build ccache pkg-config
  # libraries Sohound is built on
  libyaml-cpp-dev libboost1.81-dev libcli11-dev libfmt-dev nlohmann-json3-dev libsimdjson-dev libexpat1-dev
  # ELF symbol tables (driver objects), content hashes (result cache)
  libelf-dev libxxhash-dev
  # result cache entries authenticated with a key (keyed BLAKE2b)
  libsodium-dev
  # the tools Sohound drives (util-linux: setarch, to start sanitizer drivers without ASLR;
  # bubblewrap: the sandbox the code under test runs in)
  valgrind libc6-dbg util-linux bubblewrap
  # the example suite's system library (pkg-config example)
  zlib1g-dev
)
if [[ $mode != --run ]]; then
  packages+=(
    # Clang (specs with compiler: clang, the fuzz targets), the formatter, tests and benchmarks
    clang-14 libclang-rt-14-dev llvm-14 clang-format-14 libgtest-dev libgmock-dev libbenchmark-dev
    # the real libraries of the clean multithreaded corpus (tests/e2e/specs/corpus), the
    # root-cause fixture (jansson) and the ownership trial (tests/e2e/specs/ownership.yaml:
    # libarchive, cJSON, LMDB)
    libjsoncpp-dev libuv1-dev libevent-dev libsqlite3-dev libxml2-dev libjansson-dev libglib2.0-dev
    libarchive-dev libcjson-dev liblmdb-dev
    # `sohound meson`'s end-to-end test builds a real Meson project
    meson
    # scripts, the browser tests of the HTML report, and running the GitLab template locally
    # (gitlab-ci-local: git, rsync; the template downloads the package with curl)
    python3 time bc chromium git rsync curl ca-certificates
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
if ((${#missing[@]})); then
  echo "ci/setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "ci/setup.sh: all packages present"
fi

[[ $mode == --run ]] && exit 0

# Node.js for the browser tests (Debian's, when the machine has none), then their npm packages.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ci/setup.sh: installing nodejs npm"
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cd "$(dirname "$0")/../tests/browser"
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  echo "ci/setup.sh: npm ci in tests/browser"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch node_modules
fi
