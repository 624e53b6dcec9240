#!/usr/bin/env bash
# Command-line checks of the infrascape binary, one case per ctest: cli_test.sh CASE BINARY.
# Run from the project root. Every GPU case runs with --validate (exit code 3 on any validation message).
set -euo pipefail
case_name=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$tmp}

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc RC COMMAND...: runs it, keeps stdout/stderr in $tmp/out, checks the exit code
    local want=$1; shift
    set +e; "$@" >"$tmp/out" 2>&1; local rc=$?; set -e
    if [ "$rc" -ne "$want" ]; then cat "$tmp/out" >&2; fail "'$*' exited $rc, expected $want"; fi
}
expect_text() { grep -qF -- "$1" "$tmp/out" || { cat "$tmp/out" >&2; fail "output lacks: $1"; }; }
# check_corpus DIR UNTIL MIN: every DIR/*.toml fails under `run` with exit code 2 and exactly the line
# DIR/expected.txt gives it ("name.toml|message"); a message ending in "..." matches a prefix (device limits,
# absolute paths). At least MIN files.
check_corpus() {
    local dir=$1 until=$2 min=$3 n=0 f want got
    for f in "$dir"/*.toml; do
        want=$(grep "^$(basename "$f")|" "$dir/expected.txt" | cut -d'|' -f2-)
        [ -n "$want" ] || fail "no expected message for $f"
        expect_rc 2 "$bin" run "$f" --until "$until" --export "$tmp/e"
        got=$(cat "$tmp/out")
        case "$want" in
            *...) [ "${got#"${want%...}"}" != "$got" ] || fail "$f: got '$got', want prefix '${want%...}'" ;;
            *) [ "$got" = "$want" ] || fail "$f: got '$got', want '$want'" ;;
        esac
        n=$((n + 1))
    done
    [ "$n" -ge "$min" ] || fail "only $n corpus files in $dir"
}

case $case_name in
help)
    for c in "" view render run bench schema devices grid; do
        expect_rc 0 "$bin" $c --help
        expect_text "Usage"
    done
    expect_rc 0 "$bin" --version
    ;;
schema)
    expect_rc 0 "$bin" schema
    expect_text "diffusivity_m2_per_s"
    expect_text "[[timeline]]"
    expect_rc 0 "$bin" schema example
    expect_text "m2/s"
    expect_rc 2 "$bin" schema nosuchblock
    expect_text "unknown block 'nosuchblock'"
    ;;
bad_scene)
    expect_rc 2 "$bin" render tests/cli/bad_scene.toml -o "$tmp/x" --frames 1
    [ "$(cat "$tmp/out")" = "tests/cli/bad_scene.toml:5:14: unknown key 'diffusivty' in [example]; did you mean 'diffusivity_m2_per_s'?" ] ||
        { cat "$tmp/out"; fail "unexpected message"; }
    expect_rc 2 "$bin" run tests/cli/no_such_scene.toml --until 10s --export "$tmp/e"
    expect_text "tests/cli/no_such_scene.toml:1:1: cannot open scene file"
    ;;
bad_args)
    expect_rc 2 "$bin" render scenes/heat_islands.toml
    expect_text "render needs -o"
    expect_rc 2 "$bin" render scenes/heat_islands.toml -o "$tmp/x" --size 12by7
    expect_text "--size must look like 1280x720"
    expect_rc 2 "$bin" run scenes/heat_islands.toml --until "3 parsecs" --export "$tmp/e"
    expect_text "--until must be a duration"
    expect_rc 2 "$bin" render scenes/heat_islands.toml -o "$tmp/x" --bogus
    expect_text "unknown option '--bogus' for render"
    expect_rc 2 "$bin" view scenes/heat_islands.toml --quality ultra
    expect_text "--quality must be low, medium or high, not 'ultra'"
    ;;
no_display)
    expect_rc 1 env -u DISPLAY -u WAYLAND_DISPLAY "$bin" scenes/heat_islands.toml
    expect_text "no display"
    expect_text "infrascape render"
    ;;
missing_ffmpeg)
    expect_rc 1 env INFRASCAPE_FFMPEG=/nonexistent/ffmpeg "$bin" render scenes/heat_islands.toml -o "$tmp/a.mp4" --frames 2
    expect_text "ffmpeg not found"
    ;;
render_mp4)
    # The foundation's acceptance check: 5 s at 30 fps and 1280x720 gives an MP4 of 150 frames.
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/out.mp4" --duration 5 --fps 30 --size 1280x720 --validate --quiet
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames,codec_name,pix_fmt,width,height -of csv=p=0 "$tmp/out.mp4")
    echo "ffprobe: $frames"
    [ "$frames" = "h264,1280,720,yuv420p,150" ] || fail "ffprobe read '$frames', expected h264,1280,720,yuv420p,150"
    ;;
render_pngs_deterministic)
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/a" --frames 3 --fps 2 --size 320x180 --validate --quiet
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/b" --frames 3 --fps 2 --size 320x180 --validate --quiet
    [ "$(ls "$tmp/a")" = "$(printf 'frame_000000.png\nframe_000001.png\nframe_000002.png')" ] || fail "unexpected frame files: $(ls "$tmp/a")"
    for f in "$tmp"/a/*.png; do cmp "$f" "$tmp/b/$(basename "$f")" || fail "$(basename "$f") differs between runs"; done
    ;;
render_quality)
    # Medium quality is low quality passed through FXAA: the same frame where the image is smooth, blended at edges
    # (both at full resolution here; by default low draws the world at 0.5 and medium at 0.75).
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/low" --frames 1 --size 320x180 --quality low --render-scale 1 --validate --quiet
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/med" --frames 1 --size 320x180 --quality medium --render-scale 1 --validate --quiet
    changed=$(compare -metric AE -fuzz 3% "$tmp/low/frame_000000.png" "$tmp/med/frame_000000.png" /dev/null 2>&1 || true)
    [ "$changed" -gt 0 ] && [ "$changed" -lt $((320 * 180 / 4)) ] || fail "FXAA changed $changed of $((320 * 180)) pixels"
    ;;
render_scale)
    # The world drawn at half the width and height and upscaled is the same picture, softer: its RMS difference
    # from the full-resolution frame is small against the change that drawing nothing at all makes.
    for q in low medium; do
        expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/full_$q" --frames 1 --size 320x180 --quality $q --render-scale 1 --validate --quiet
        expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/half_$q" --frames 1 --size 320x180 --quality $q --render-scale 0.5 --validate --quiet
        rmse=$(compare -metric RMSE "$tmp/full_$q/frame_000000.png" "$tmp/half_$q/frame_000000.png" /dev/null 2>&1 | sed 's/.*(\(.*\))/\1/' || true)
        python3 -c "import sys; v=float(sys.argv[1]); sys.exit(0 if 0 < v < 0.06 else 1)" "$rmse" ||
            fail "quality $q: render scale 0.5 differs from full resolution by RMS $rmse (expected between 0 and 0.06)"
    done
    # Multisampling resolved below the output's size, then upscaled.
    expect_rc 0 "$bin" render scenes/heat_islands.toml -o "$tmp/msaa" --frames 1 --size 320x180 --quality high --render-scale 0.6 --validate --quiet
    expect_rc 2 "$bin" render scenes/heat_islands.toml -o "$tmp/x" --frames 1 --render-scale 1.5
    expect_text "--render-scale must be a number from 0.25 to 1, not '1.5'"
    expect_rc 2 "$bin" view scenes/heat_islands.toml --render-scale half
    expect_text "--render-scale must be a number from 0.25 to 1, not 'half'"
    ;;
run_export)
    expect_rc 0 "$bin" run scenes/heat_islands.toml --until 10min --export "$tmp/e" --validate
    expect_text "simulated 00:10:00"
    [ -s "$tmp/e/example/temperature.asc" ] || fail "no temperature.asc"
    head -6 "$tmp/e/example/temperature.asc" | grep -q "^ncols 128" || fail "temperature.asc has no ESRI header"
    [ "$(head -1 "$tmp/e/example/series.csv")" = "time_s,mean_k,max_k" ] || fail "series.csv header"
    ;;
bench)
    expect_rc 0 "$bin" bench --validate
    expect_text "copy bandwidth (roofline):"
    expect_text "example.diffuse"
    expect_text "reference scene frame time"
    expect_text "reference scene device memory:"
    expect_rc 0 "$bin" bench --json
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); m=d['reference_memory']; assert d['copy_gb_per_s']>0 and d['kernels'] and 0<m['device_allocations']<16 and any(o['owner']=='grid' and o['bytes']>0 for o in m['owners'])" "$tmp/out" ||
        fail "bench --json is not valid JSON with a copy bandwidth, kernels and the reference scene's memory by owner: $(cat "$tmp/out")"
    expect_rc 0 "$bin" bench --lbm 24 --json --validate
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['lbm_n']==24 and d['lbm_hall_mlups']>0 and d['lbm_srt_mlups']>0 and d['lbm_hall_gb_per_s']>0 and d['lbm_hall_fp16_mlups']>0 and d['copy_kernels']" "$tmp/out" ||
        fail "bench --lbm 24 --json lacks lbm_hall_mlups, lbm_srt_mlups or lbm_hall_fp16_mlups: $(cat "$tmp/out")"
    expect_rc 2 "$bin" bench --lbm 4
    expect_rc 0 "$bin" bench --scenes --json --validate
    python3 -c "
import json, os, sys
d = json.load(open(sys.argv[1]))
shipped = sorted(f for f in os.listdir('scenes') if f.endswith('.toml'))
assert [s['scene'] for s in d['scenes']] == shipped, [s['scene'] for s in d['scenes']]
assert all(s['frame_ms'] > 0 and s['passes_ms'] and s['memory_bytes'] > 0 for s in d['scenes'])
" "$tmp/out" || fail "bench --scenes --json lacks a shipped scene or its frame time, passes or memory: $(cat "$tmp/out")"
    ;;
city_corpus)
    # Malformed city values: one line each, file:line:col, exit code 2 (the memory limit's message is matched by
    # prefix: it depends on the device).
    check_corpus tests/city/corpus 1y 6
    ;;
city_run_export)
    expect_rc 0 "$bin" run tests/golden/scenes/city_small.toml --until 60y --export "$tmp/e" --validate
    head -1 "$tmp/e/city/population.csv" | grep -q "^year,N,built_cells,street_km,cable_km,heat_island_k,gdp" || fail "population.csv header: $(head -1 "$tmp/e/city/population.csv")"
    [ "$(wc -l < "$tmp/e/city/population.csv")" -ge 120 ] || fail "population.csv has too few rows"
    for y in 1900 1925 1950; do [ -s "$tmp/e/city/landuse_$y.asc" ] || fail "no landuse_$y.asc: $(ls "$tmp/e/city")"; done
    head -1 "$tmp/e/city/landuse_1950.asc" | grep -q "^ncols 64" || fail "landuse raster header"
    grep -q "^GDP,1.15" "$tmp/e/city/scaling_fit.csv" || fail "scaling_fit.csv lacks the GDP fit: $(cat "$tmp/e/city/scaling_fit.csv")"
    grep -q "^built area" "$tmp/e/city/scaling_fit.csv" || fail "scaling_fit.csv lacks the built-area fit"
    grep -q "^Museums,1.1" "$tmp/e/city/scaling_fit.csv" || fail "scaling_fit.csv lacks the user-defined quantity"
    head -1 "$tmp/e/city/population.csv" | grep -q ",museums_count" || fail "population.csv lacks the user-defined quantity"
    ;;
flood_corpus)
    # Malformed flood scene values and the files they name (DEM, depth and rain rasters, hydrographs).
    check_corpus tests/flood/scene_corpus 10min 30
    ;;
flood_run_export)
    # A small DEM from a file with a NODATA notch: every export, in the DEM's georeference, and the balance.
    expect_rc 0 "$bin" run tests/flood/dem_scene.toml --until 20min --export "$tmp/e" --validate
    d="$tmp/e/flood"
    for f in depth_000300s depth_000600s depth_000900s depth_001200s max_depth max_speed arrival_time hazard; do
        [ -f "$d/$f.asc" ] || fail "missing $f.asc: $(ls "$d")"
        [ "$(head -6 "$d/$f.asc" | tr '\n' ' ')" = "ncols 40 nrows 30 xllcorner 500000 yllcorner 3300000 cellsize 10 NODATA_value -9999 " ] || fail "$f.asc header: $(head -6 "$d/$f.asc")"
        [ "$(sed -n 7p "$d/$f.asc" | cut -d' ' -f1-3)" = "-9999 -9999 -9999" ] || fail "$f.asc: the NODATA notch is not NODATA"
    done
    [ "$(ls "$d" | grep -c '^depth_')" -eq 4 ] || fail "depth snapshots: $(ls "$d")"
    [ "$(head -1 "$d/gauges.csv")" = "time_s,Mid channel,Outlet" ] || fail "gauges header: $(head -1 "$d/gauges.csv")"
    [ "$(head -1 "$d/warnings.csv")" = "site,kind,warned_by,siren_s,arrival_s,lead_time_s,max_depth_m" ] || fail "warnings header"
    python3 - "$d" <<'PY' || fail "mass balance or ledger"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/mass_balance.csv")))
last = rows[-1]
print("last balance row:", last)
assert abs(float(last["time_s"]) - 1200) < 1e-6, "the flood clock must end at T"
assert max(abs(float(r["relative_error"])) for r in rows) < 1e-4, "mass balance error above 1e-4"
# Rain: 60 mm/h for 20 min on the 1191 cells that are not NODATA (10 m cells); the inflow hydrograph's volume
# (the GPU's clock evaluates it at each step's middle).
assert abs(float(last["rain_m3"]) - 0.06 / 3600 * 1200 * 1191 * 100) < 1.0, last["rain_m3"]
assert abs(float(last["inflow_m3"]) - 17250) < 1e-4 * 17250, last["inflow_m3"]
assert float(last["outflow_m3"]) > 0
PY
    # The same scene with the local-inertial scheme: the same rain and inflow volumes, and a closed balance.
    expect_rc 0 "$bin" run tests/flood/dem_inertial_scene.toml --until 20min --export "$tmp/i" --validate
    python3 - "$tmp/i/flood" <<'PY' || fail "inertial scheme: mass balance or ledger"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/mass_balance.csv")))
last = rows[-1]
print("last balance row (inertial):", last)
assert abs(float(last["time_s"]) - 1200) < 1e-6
assert max(abs(float(r["relative_error"])) for r in rows) < 1e-4, "mass balance error above 1e-4"
assert abs(float(last["rain_m3"]) - 0.06 / 3600 * 1200 * 1191 * 100) < 1.0, last["rain_m3"]
assert abs(float(last["inflow_m3"]) - 17250) < 1e-4 * 17250, last["inflow_m3"]
assert float(last["outflow_m3"]) > 0
PY
    # The same DEM as a GeoTIFF in UTM 14N: GeoTIFF exports beside the grids, the projection kept in both.
    expect_rc 0 "$bin" run tests/flood/dem_tiff_scene.toml --until 10min --export "$tmp/t" --validate
    for f in depth_000300s depth_000600s max_depth max_speed arrival_time hazard; do
        [ -f "$tmp/t/flood/$f.tif" ] || fail "missing $f.tif: $(ls "$tmp/t/flood")"
        grep -q "UTM" "$tmp/t/flood/$f.prj" || fail "$f.prj lost the projection"
        [ "$(head -6 "$tmp/t/flood/$f.asc" | tr '\n' ' ')" = "ncols 40 nrows 30 xllcorner 500000 yllcorner 3300000 cellsize 10 NODATA_value -9999 " ] || fail "$f.asc header from the GeoTIFF DEM"
    done
    ;;
flood_default_scene)
    # The default flood scene: the sirens sound upstream and the wave reaches the camps with some warning.
    expect_rc 0 "$bin" run scenes/flash_flood.toml --until 100min --export "$tmp/e"
    python3 - "$tmp/e/flood/warnings.csv" <<'PY' || fail "the wave should reach camps after a siren"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows: print(r)
reached = [r for r in rows if r["arrival_s"] and r["siren_s"] and float(r["lead_time_s"]) > 0]
sys.exit(0 if len(reached) >= 2 else 1)
PY
    ;;
datacenter_corpus)
    # Malformed data hall scenes: negative power, racks or units outside the hall, a grid too fine for the device,
    # a bad rack model, ... (device limits and absolute paths are matched by prefix).
    check_corpus tests/datacenter/scene_corpus 1s 12
    ;;
datacenter_run_export)
    # The default hall through its crisis: exports, and GPUs throttling once the supply air warms and a unit fails.
    expect_rc 0 "$bin" run scenes/ai_datacenter.toml --until 30s --export "$tmp/e" --validate
    d="$tmp/e/datacenter"
    [ "$(head -1 "$d/racks.csv")" = "rack,row,position,x_m,y_m,it_kw,inlet_c_mean,inlet_c_max,outlet_c,hottest_gpu_c,throttled_gpus" ] || fail "racks header: $(head -1 "$d/racks.csv")"
    [ "$(wc -l < "$d/racks.csv")" -eq 41 ] || fail "racks rows: $(wc -l < "$d/racks.csv")"
    head -1 "$d/cooling.csv" | grep -q "^time_s,it_kw,cooling_kw,pue,CRAH-W1_removed_kw" || fail "cooling header: $(head -1 "$d/cooling.csv")"
    for f in temperature velocity; do head -c 200 "$d/$f.vti" | grep -q 'VTKFile type="ImageData"' || fail "$f.vti"; done
    grep -q "datacenter.GPUs throttled = [1-9]" "$tmp/out" || fail "GPUs should throttle by 30 s: $(cat "$tmp/out")"
    python3 - "$d/cooling.csv" <<'PY' || fail "PUE should rise with the outdoor temperature"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pue = [float(r["pue"]) for r in rows]
print("PUE", pue[0], "->", pue[-1])
sys.exit(0 if pue[-1] > pue[0] > 1.0 else 1)
PY
    ;;
grid_corpus)
    # Malformed grid scene values and the files they name (case, gazetteer); the tower count depends on the layout
    # the device computed, so that message is matched by prefix.
    check_corpus tests/grid/scene_corpus 1h 9
    ;;
grid_run_export)
    # The default grid scene through its day: exports, and the solar cliff in the evening.
    expect_rc 0 "$bin" run scenes/heatwave_grid.toml --until 1d --export "$tmp/e" --validate
    expect_text "grid.largest 3-hour net-load ramp"
    [ "$(head -1 "$tmp/e/grid/timeseries.csv")" = "t_s,ambient_c,demand_mw,cooling_mw,pv_mw,wind_mw,net_load_mw,battery_mw,shed_mw,reserve_margin" ] || fail "timeseries header: $(head -1 "$tmp/e/grid/timeseries.csv")"
    [ "$(wc -l < "$tmp/e/grid/timeseries.csv")" -eq 290 ] || fail "timeseries rows: $(wc -l < "$tmp/e/grid/timeseries.csv")"
    [ "$(wc -l < "$tmp/e/grid/branches.csv")" -eq 3207 ] || fail "branches rows"
    [ "$(wc -l < "$tmp/e/grid/buses.csv")" -eq 2001 ] || fail "buses rows"
    head -1 "$tmp/e/grid/events.csv" | grep -q "^t_s,utc,branch,from_bus,to_bus,loading_pct,stage,cause" || fail "events header"
    # The largest 3-hour rise of net load ends in the evening (17:00 to 22:00 local, UTC-5: 22 to 27 h UTC).
    python3 - "$tmp/e/grid/timeseries.csv" <<'PY' || fail "no evening solar cliff"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
t = [float(r["t_s"]) for r in rows]; net = [float(r["net_load_mw"]) for r in rows]
best, end = max((net[i] - net[i - 36], t[i]) for i in range(36, len(net)))
hour = end / 3600  # the scene starts at local midnight
print(f"largest 3-hour ramp {best:.0f} MW ending {hour:.2f} h local")
sys.exit(0 if 17 <= hour <= 22 and best > 5000 else 1)
PY
    # Trips from the timeline: two manual trips, the overload they cause trips at once, load is lost.
    expect_rc 0 "$bin" run tests/grid/trip_scene.toml --until 16h --export "$tmp/t" --validate
    [ "$(cut -d, -f8 "$tmp/t/grid/events.csv" | tail -n +2 | tr '\n' ' ')" = "manual manual instant " ] || fail "trip events: $(cat "$tmp/t/grid/events.csv")"
    grep -q "grid.energy not served = [1-9]" "$tmp/out" || fail "the cascade should leave load unserved: $(cat "$tmp/out")"
    ;;
grid_pf_reference)
    # DC and AC power flow against MATPOWER's own results (../shared/data/reference).
    shared=../shared/data
    if [ ! -d "$shared/matpower" ]; then echo "SKIP: ../shared is absent"; exit 0; fi
    for c in case9 case14 case30; do
        for kind in dc ac; do
            flag=; [ $kind = ac ] && flag=--ac
            expect_rc 0 "$bin" grid pf "$shared/matpower/$c.m" $flag --out-bus "$tmp/$c-$kind-bus.csv" --out-branch "$tmp/$c-$kind-branch.csv"
            expect_text "power flow on $c"
            python3 tests/grid/compare_csv.py "$tmp/$c-$kind-bus.csv" "$shared/reference/${c}_${kind}_bus.csv" || fail "$c $kind buses"
            python3 tests/grid/compare_csv.py "$tmp/$c-$kind-branch.csv" "$shared/reference/${c}_${kind}_branch.csv" || fail "$c $kind branches"
        done
    done
    ;;
grid_n1)
    shared=../shared/data
    if [ ! -d "$shared/matpower" ]; then echo "SKIP: ../shared is absent"; exit 0; fi
    expect_rc 0 "$bin" grid n1 "$shared/matpower/case30.m" --out "$tmp/n1.csv"
    expect_text "41 outages screened"
    [ "$(head -1 "$tmp/n1.csv")" = "outaged_from,outaged_to,islands,worst_loading_pct,worst_from,worst_to" ] || fail "n1 header"
    [ "$(wc -l < "$tmp/n1.csv")" -eq 42 ] || fail "n1 rows: $(wc -l < "$tmp/n1.csv")"
    expect_rc 2 "$bin" grid pf tests/grid/corpus/no_such_case.m --out-bus "$tmp/b.csv" --out-branch "$tmp/r.csv"
    expect_rc 2 "$bin" grid frobnicate
    expect_text "unknown grid command 'frobnicate'"
    ;;
world_default_scene)
    # The coupled default scene, three days with exports (its performance goal: under five minutes here).
    expect_rc 0 "$bin" run scenes/default.toml --until 3d --export "$tmp/w"
    log="$tmp/w/world/couplings.csv"
    [ -f "$log" ] || fail "no world/couplings.csv"
    head -1 "$log" | grep -q '^time_s,' || fail "couplings.csv header: $(head -1 "$log")"
    for col in 'campus:abilene.facility_mw' 'city:houston.demand_factor' 'weather.ghi_w_m2' 'weather.air_temp_c@city:kerrville' 'grid.served_fraction@campus:dallas' \
               'weather.rain_mm_h@flood' 'city:kerrville.flooded_cells' 'flood.lead_time_min@city:kerrville'; do
        head -1 "$log" | tr ',' '\n' | grep -qxF "$col" || fail "couplings.csv lacks the column $col"
    done
    sed -n 2p "$log" | grep -q '^unit:s,' || fail "couplings.csv units row: $(sed -n 2p "$log")"
    # One row per coupling step: every 300 s over three days, from t = 0.
    [ "$(($(wc -l < "$log") - 2))" -eq 864 ] || fail "couplings.csv rows: $(wc -l < "$log")"
    for d in grid weather city:houston campus:abilene flood; do [ -d "$tmp/w/$d" ] || fail "no exports for $d"; done
    # The storm over Kerrville's valley: rain from the weather, a flooded substation, built cells under water,
    # and the river town's warning against a metro's on the same flood.
    grep -q "grid.flooded substations = [1-9]" "$tmp/out" || fail "no substation flooded: $(grep 'flooded' "$tmp/out")"
    python3 - "$log" "$tmp/w/flood/warning_by_city.csv" <<'PY' || fail "the storm's couplings"
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, data = rows[0], rows[2:]
def peak(col):
    i = head.index(col)
    return max(float(r[i]) for r in data if r[i] != "")
assert peak("weather.rain_mm_h@flood") > 50, "no storm rain reached the flood"
assert peak("flood.depth_m@substation_3001") > 0.6, "Kerrville's substation stayed above its wall"
assert peak("city:kerrville.flooded_cells") > 0, "no built cell of Kerrville under water"
assert peak("city:kerrville.people_in_hazard") > 0, "nobody in the hazard zone"
lead = {r["place"]: r for r in csv.DictReader(open(sys.argv[2]))}
town, metro = lead["city:kerrville"], lead["city:houston"]
assert int(town["gauges"]) < int(metro["gauges"])
assert float(town["mean_lead_time_s"]) < float(metro["mean_lead_time_s"]) - 300, "a metro's network should warn minutes sooner"
PY
    python3 - "$tmp/out" <<'PY' || fail "grid peak demand off the ERCOT scale: $(grep 'peak demand' "$tmp/out")"
import re, sys
text = open(sys.argv[1]).read()
peak = float(re.search(r"grid.peak demand = ([0-9.e+]+) MW", text).group(1))
sys.exit(0 if 75000 <= peak <= 100000 else 1)
PY
    ;;
world_repeat)
    # A coupled run is bit-identical when repeated.
    expect_rc 0 "$bin" run scenes/default.toml --until 8h --export "$tmp/a"
    expect_rc 0 "$bin" run scenes/default.toml --until 8h --export "$tmp/b"
    cmp "$tmp/a/world/couplings.csv" "$tmp/b/world/couplings.csv" || fail "couplings differ between two runs"
    cmp "$tmp/a/grid/timeseries.csv" "$tmp/b/grid/timeseries.csv" || fail "grid time series differ between two runs"
    ;;
world_coupling_off)
    # With its coupling switched off the weather changes nothing: the grid's exports equal the grid alone's;
    # switched on, a hotter day raises the demand.
    expect_rc 0 "$bin" run tests/world/grid_alone.toml --until 1d --export "$tmp/alone"
    expect_rc 0 "$bin" run tests/world/grid_weather_off.toml --until 1d --export "$tmp/off"
    expect_rc 0 "$bin" run tests/world/grid_weather_on.toml --until 1d --export "$tmp/on"
    for f in timeseries.csv branches.csv buses.csv summary.csv events.csv; do
        cmp "$tmp/alone/grid/$f" "$tmp/off/grid/$f" || fail "grid/$f differs with the weather coupling off"
    done
    cmp -s "$tmp/alone/grid/timeseries.csv" "$tmp/on/grid/timeseries.csv" && fail "the weather coupling changed nothing"
    python3 - "$tmp/alone/grid/timeseries.csv" "$tmp/on/grid/timeseries.csv" <<'PY' || fail "a 44 C day should raise the peak demand"
import csv, sys
peak = [max(float(r["demand_mw"]) for r in csv.DictReader(open(f))) for f in sys.argv[1:3]]
sys.exit(0 if peak[1] > peak[0] else 1)
PY
    ;;
world_growth)
    # Thirty years of growth feeding the grid's load: beta = 1 makes the growth equation exponential at a - b,
    # so Houston's 7.3 million become 7.3e6 exp(0.018 x 30 y) by hand; demand and shed load rise with it.
    expect_rc 0 "$bin" run scenes/texas_growth.toml --until 30y --export "$tmp/g"
    python3 - "$tmp/out" "$tmp/g/grid/timeseries.csv" <<'PY' || fail "growth to load: $(grep -E 'population|demand' "$tmp/out")"
import csv, math, re, sys
text = open(sys.argv[1]).read()
n = float(re.search(r"city:houston.population = ([0-9.e+]+) people", text).group(1))
want = 7.3e6 * math.exp(0.018 * 120 * 7862400.0 / 31557600.0)  # 120 steps of 91 days (the growth model's years)
assert abs(n / want - 1) < 0.01, (n, want)
rows = list(csv.DictReader(open(sys.argv[2])))
demand = [float(r["demand_mw"]) for r in rows]
assert demand[-1] > 1.15 * demand[0], demand[::30]
# From the second operating point on (the first one sees the cities before their first coupling step).
assert all(b >= a - 1e-6 for a, b in zip(demand[1:], demand[2:])), "demand fell while the cities grew"
PY
    ;;
world_corpus)
    check_corpus tests/world/corpus 1h 6
    ;;
grid_opf)
    # DC OPF on the hand-solved triangle (tests/grid/opf_triangle.m): dispatch, LMPs, objective, headers.
    expect_rc 0 "$bin" grid opf tests/grid/opf_triangle.m --out-bus "$tmp/b.csv" --out-gen "$tmp/g.csv"
    expect_text "objective: 3975 \$/h"
    [ "$(cat "$tmp/b.csv" | cut -d, -f1,4 | tr '\n' ' ')" = "bus,lmp 1,13 2,18 3,23 " ] || fail "opf buses: $(cat "$tmp/b.csv")"
    [ "$(cat "$tmp/g.csv" | tr '\n' ' ')" = "gen,bus,pg_mw 1,1,150 2,2,150 " ] || fail "opf gens: $(cat "$tmp/g.csv")"
    expect_rc 0 "$bin" grid opf tests/grid/opf_triangle.m --n-1 --shed 9000 --out-bus "$tmp/b.csv" --out-gen "$tmp/g.csv"
    expect_text "DC OPF with N-1"
    expect_rc 2 "$bin" grid opf tests/grid/corpus/bad_gencost_model.m --out-bus "$tmp/b.csv" --out-gen "$tmp/g.csv"
    expect_text "cost model 3 is not 1 (piecewise linear) or 2 (polynomial)"
    expect_rc 2 "$bin" grid opf tests/grid/corpus/valid_compact.m --out-bus "$tmp/b.csv" --out-gen "$tmp/g.csv"
    expect_text "the case has no mpc.gencost"
    expect_rc 2 "$bin" grid opf tests/grid/opf_triangle.m --shed -5 --out-bus "$tmp/b.csv" --out-gen "$tmp/g.csv"
    ;;
grid_hosting_scene)
    # The million-GPU scene: the grid computes every bus's hosting capacity on its live operating point and
    # `run` writes it; every bus solved, each within its screening bound.
    expect_rc 0 "$bin" run scenes/million_gpus.toml --until 10min --export "$tmp/e" --validate
    [ "$(head -1 "$tmp/e/grid/hosting.csv")" = "bus,hosting_mw,binding_branch,binding_contingency,marginal_cost,limit,bound_mw,binding_from,binding_to" ] ||
        fail "hosting header: $(head -1 "$tmp/e/grid/hosting.csv")"
    python3 - "$tmp/e/grid/hosting.csv" <<'PY' || fail "hosting.csv"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2000, len(rows)
for r in rows:
    assert r["limit"] in ("branch", "angle", "generation"), r
    h, b = float(r["hosting_mw"]), float(r["bound_mw"])
    assert 0 <= h <= b + 1e-3, r
    assert (r["limit"] == "branch") == (r["binding_branch"] != ""), r
print("max", max(float(r["hosting_mw"]) for r in rows), "MW")
PY
    ;;
grid_hosting)
    # Hosting capacity of the hand-solved triangle (tests/grid/test_hosting.cpp): 700, 350 and 150 MW.
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --out "$tmp/h.csv"
    [ "$(head -1 "$tmp/h.csv")" = "bus,hosting_mw,binding_branch,binding_contingency,marginal_cost,limit,bound_mw,binding_from,binding_to" ] ||
        fail "hosting header: $(head -1 "$tmp/h.csv")"
    [ "$(cut -d, -f1,2,3,4,5,6 "$tmp/h.csv" | tail -n +2 | tr '\n' ' ')" = "1,700,,,13,generation 2,350,2,,18,branch 3,150,2,,23,branch " ] ||
        fail "hosting rows: $(cat "$tmp/h.csv")"
    expect_text "3 buses solved exactly"
    # Upgrades of bus 3's binding line: reconductored 287.5 MW, a parallel circuit 325 MW.
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --bus 3 --upgrades --out "$tmp/h.csv"
    expect_text "upgrade: reconductor branch 2 (1-3): 287.5 MW (+137.5 MW)"
    expect_text "upgrade: parallel    branch 2 (1-3): 325.0 MW (+175.0 MW)"
    # A campus of 100,000 GPUs at bus 3: 100000 x 0.7 x 1.45 x 1.2 = 121.8 MW, within its 150 MW.
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --campus-bus 3 --gpus 100000
    expect_text "= 121.8 MW at bus 3"
    expect_text "fits: 0.0 MW shed"
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --campus-bus 3 --gpus 200000
    expect_text "does not fit: 93.6 MW shed"
    # A daily profile: a load only at 03:00-04:00 hosts what the 03:30 operating point hosts; a flat one no more
    # than the least of the hours.
    only3=$(python3 -c "print(','.join('1' if h == 3 else '0' for h in range(24)))")
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --profile "$only3" --out "$tmp/p3.csv"
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --hour 3.5 --out "$tmp/h3.csv"
    [ "$(cut -d, -f1,2 "$tmp/p3.csv")" = "$(cut -d, -f1,2 "$tmp/h3.csv")" ] || fail "profile at 3: $(cat "$tmp/p3.csv") vs $(cat "$tmp/h3.csv")"
    nights=$(python3 -c "print(','.join('1' if h < 7 else '0' for h in range(24)))")
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --profile "$nights" --out "$tmp/pf.csv"
    expect_text "daily profile: the hour that limits the most buses is"
    python3 - "$tmp/pf.csv" "$tmp/h3.csv" <<'PY' || fail "a profile over the nights above an hour's capacity"
import csv, sys
nights = {r["bus"]: float(r["hosting_mw"]) for r in csv.DictReader(open(sys.argv[1]))}
at3 = {r["bus"]: float(r["hosting_mw"]) for r in csv.DictReader(open(sys.argv[2]))}
assert all(nights[b] <= at3[b] + 1e-6 for b in nights) and any(nights[b] < at3[b] - 1 for b in nights), (nights, at3)
PY
    # On the hot afternoon the triangle cannot serve its own load (line 1-3 derated): a load present all day fits nowhere.
    flat=$(python3 -c "print(','.join(['1'] * 24))")
    expect_rc 0 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies none --profile "$flat" --out "$tmp/pf.csv"
    expect_text "the grid cannot serve its own load, so no bus can add any then"
    [ "$(cut -d, -f2,6 "$tmp/pf.csv" | tail -n +2 | tr '\n' ' ')" = "0,infeasible 0,infeasible 0,infeasible " ] || fail "flat profile: $(cat "$tmp/pf.csv")"
    expect_rc 2 "$bin" grid hosting tests/grid/opf_triangle.m --profile 1,2,3 --out "$tmp/h.csv"
    [ "$(cat "$tmp/out")" = "infrascape: --profile needs 24 factors of at least 0 (local hours 0 to 23), one above 0" ] || fail "$(cat "$tmp/out")"
    # Bad input: one line each, exit 2.
    expect_rc 2 "$bin" grid hosting tests/grid/opf_triangle.m --bus 7 --out "$tmp/h.csv"
    [ "$(cat "$tmp/out")" = "infrascape: there is no bus 7 in tests/grid/opf_triangle.m" ] || fail "$(cat "$tmp/out")"
    expect_rc 2 "$bin" grid hosting tests/grid/opf_triangle.m --campus-bus 3 --gpus -5
    [ "$(cat "$tmp/out")" = "infrascape: the GPU count must be a number of at least 0" ] || fail "$(cat "$tmp/out")"
    sed 's/\t150\t150\t150\t/\t0\t0\t0\t/' tests/grid/opf_triangle.m > "$tmp/unrated.m"  # the triangle without its one rating
    expect_rc 2 "$bin" grid hosting "$tmp/unrated.m" --out "$tmp/h.csv"
    [ "$(cat "$tmp/out")" = "$tmp/unrated.m:1:1: the case has no line ratings (RATE_A is 0 on every branch); hosting capacity needs them" ] ||
        fail "$(cat "$tmp/out")"
    expect_rc 2 "$bin" grid hosting tests/grid/opf_triangle.m --contingencies n-2 --out "$tmp/h.csv"
    [ "$(cat "$tmp/out")" = "infrascape: --contingencies must be none or n-1, not 'n-2'" ] || fail "$(cat "$tmp/out")"
    ;;
window)
    command -v xvfb-run >/dev/null || fail "xvfb-run missing (package xvfb)"
    mkdir -p "$tmp/shots"
    expect_rc 0 xvfb-run -a -s "-screen 0 1400x900x24" "$bin" scenes/heat_islands.toml --validate --frames 45 --resize-test --size 960x540 --screenshots "$tmp/shots"
    expect_text "viewer closed after 45 frames"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "PASS: $case_name"
