#!/usr/bin/env bash
# Re-renders the golden-image baselines in tests/golden/baseline/ after an intended visual change.
# Look at every changed PNG before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target test_gpu
INFRASCAPE_UPDATE_GOLDENS=1 ./build/tests/test_gpu "[golden]"
git status --short tests/golden/baseline
