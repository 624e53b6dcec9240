#!/bin/sh
# The flood benchmark of #16: a 512 x 512 valley of 10 m cells whose upper fifth is a reservoir 8 m deep behind a
# dam that is gone at t = 0, run for 1200 simulated seconds, whole process, with each scheme:
#   scripts/bench/flood_dam_break.sh [BUILD_DIR]
# Writes the DEM and the initial depth (ESRI ASCII) and two scenes under a temporary folder, then times
# `infrascape run` for the first-order finite volumes and for the local-inertial scheme with /usr/bin/time.
# The peer figures (LISFLOOD-FP 8 on this machine, 2 threads, the same case: fv1 about 86 s, acceleration
# about 17 s) are #16's; LISFLOOD-FP is not packaged in Debian, so it is not run here.
set -eu
build=${1:-build}
bin="$build/src/infrascape"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import math, sys
d = sys.argv[1]
n, dx = 512, 10.0
def write(name, f):
    with open(f"{d}/{name}", "w") as out:
        out.write(f"ncols {n}\nnrows {n}\nxllcorner 0\nyllcorner 0\ncellsize {dx}\nNODATA_value -9999\n")
        for r in range(n):
            j = n - 1 - r  # rows run north to south
            out.write(" ".join(f"{f(i, j):.3f}" for i in range(n)) + "\n")
# A valley falling 1 in 500 to the east, its floor 1 in 50 up to either side, with a reservoir 8 m deep at the
# dam (x < 1000 m) over the floor.
def z(i, j):
    x, y = (i + 0.5) * dx, (j + 0.5) * dx
    return 20.0 - x / 500.0 + abs(y - n * dx / 2) / 50.0
lake = z(100, n // 2) + 8.0
write("dem.asc", z)
write("depth.asc", lambda i, j: max(0.0, lake - z(i, j)) if i < 100 else 0.0)
for scheme in ("finite_volume", "inertial"):
    with open(f"{d}/{scheme}.toml", "w") as s:
        s.write(f'[world]\nspeed = 60.0\n\n[flood]\ndem = "dem.asc"\ninitial_depth = "depth.asc"\nscheme = "{scheme}"\n'
                'manning_n = 0.035\nboundary = "closed"\nboundary_east = "open"\n')
PY
for scheme in finite_volume inertial; do
    /usr/bin/time -f "$scheme: %e s wall, %U s user, %M KiB" "$bin" run "$dir/$scheme.toml" --until ${UNTIL:-1200s} --export "$dir/out_$scheme" 2>&1 |
        grep -E "solver steps|mass balance|s wall"
done
