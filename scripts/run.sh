#!/usr/bin/env bash
# Sets up, builds, and opens the default scene (or the scene given) in the viewer. Without a display it
# renders the scene headless to out/<scene>.mp4 instead and says where the video went.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
scene=${1:-scenes/default.toml}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec ./build/src/infrascape "$scene"
fi
mkdir -p out
video="out/$(basename "$scene" .toml).mp4"
echo "No display: rendering $scene headless to $video"
./build/src/infrascape render "$scene" -o "$video"
echo "Video written: $(pwd)/$video"
