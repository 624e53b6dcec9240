#!/usr/bin/env bash
# Sets up, builds, and runs the whole test suite (headless on the software Vulkan device, validation on).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
cd build
ctest --output-on-failure -j2 --timeout 900
