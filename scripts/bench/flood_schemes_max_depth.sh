#!/bin/sh
# The inertial scheme against the finite volumes on the shipped flash-flood valley (scenes/flash_flood.toml): both
# run for 100 simulated minutes, then their max_depth.asc rasters are compared over the cells either wets by more
# than 5 cm, and their flooded extents (deeper than 0.3 m) by the fit F = |both| / |either| (Bates & De Roo 2000).
#   scripts/bench/flood_schemes_max_depth.sh [BUILD_DIR]
set -eu
build=${1:-build}
bin="$build/src/infrascape"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed 's/^\[flood\]/[flood]\nscheme = "inertial"/' scenes/flash_flood.toml > "$dir/inertial.toml"
for s in fv inertial; do
    scene=scenes/flash_flood.toml
    [ "$s" = inertial ] && scene="$dir/inertial.toml"
    /usr/bin/time -f "$s: %e s wall" "$bin" run "$scene" --until 100min --export "$dir/$s" 2>&1 | grep -E "s wall|solver steps"
done
python3 - "$dir/fv/flood/max_depth.asc" "$dir/inertial/flood/max_depth.asc" <<'PY'
import statistics, sys
def load(path):
    with open(path) as f:
        header = dict(f.readline().split() for _ in range(6))
        nodata = float(header.get("NODATA_value", header.get("nodata_value", "-9999")))
        return [None if float(v) == nodata else float(v) for v in f.read().split()]
fv, ine = load(sys.argv[1]), load(sys.argv[2])
pairs = [(a, b) for a, b in zip(fv, ine) if a is not None and b is not None and (a > 0.05 or b > 0.05)]
diff = sorted(abs(b - a) for a, b in pairs)
print(f"cells wet by more than 5 cm in either: {len(pairs)}; deepest: finite volumes {max(a for a, _ in pairs):.2f} m, "
      f"inertial {max(b for _, b in pairs):.2f} m")
print(f"max depth |inertial - finite volumes|: mean {statistics.mean(diff):.3f} m, median {diff[len(diff) // 2]:.3f} m, "
      f"95th percentile {diff[int(0.95 * len(diff))]:.3f} m; mean signed {statistics.mean(b - a for a, b in pairs):+.3f} m")
a3 = [a > 0.3 for a, _ in pairs]
b3 = [b > 0.3 for _, b in pairs]
both = sum(x and y for x, y in zip(a3, b3))
either = sum(x or y for x, y in zip(a3, b3))
print(f"flooded deeper than 0.3 m: finite volumes {sum(a3)} cells, inertial {sum(b3)}, fit F = {both / either:.3f}")
PY
