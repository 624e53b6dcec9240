#!/usr/bin/env bash
# Installs the Debian 12 packages Infrascape needs to build, run and test.
# Idempotent: does nothing (and needs no network) when every package is already installed.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libvulkan-dev vulkan-tools mesa-vulkan-drivers vulkan-validationlayers glslc
  libglfw3-dev libimgui-dev libstb-dev libglm-dev libassimp-dev
  catch2 libtomlplusplus-dev libeigen3-dev libgdal-dev coinor-libclp-dev
  ffmpeg xvfb xauth imagemagick
  slurm-wlm munge
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
