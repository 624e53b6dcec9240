#!/usr/bin/env bash
# `infrascape sweep` checks, one case per ctest: sweep_test.sh CASE BINARY. Run from the project root.
#   corpus  every malformed sweep file in tests/sweep/corpus fails `sweep plan` with exit 2 and its exact message
#   local   plan, run here, kill a member mid-run, resume, collect; a member rerun alone gives its result
#   plan10k a 10,000-member plan (prints its time; the goal of 10 s is in the README, not asserted)
#   slurm   submit to a one-node Slurm started by scripts/slurm-local.sh, cancel a member, retry it, and check
#           that the collected results equal `sweep run` of the same sweep, bit for bit
set -euo pipefail
case_name=$1
bin=$(realpath "$2")
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$tmp}
sweep=tests/sweep/small_flood.toml

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc RC COMMAND...: runs it, keeps its output in $tmp/out, checks the exit code
    local want=$1; shift
    set +e; "$@" >"$tmp/out" 2>&1; local rc=$?; set -e
    if [ "$rc" -ne "$want" ]; then cat "$tmp/out" >&2; fail "'$*' exited $rc, expected $want"; fi
}
expect_text() { grep -qF -- "$1" "$tmp/out" || { cat "$tmp/out" >&2; fail "output lacks: $1"; }; }
count_results() { find "$1/results" -name '*.result' | wc -l; }

case $case_name in
corpus)
    n=0
    for f in tests/sweep/corpus/*.toml; do
        want=$(grep "^$(basename "$f")|" tests/sweep/corpus/expected.txt | cut -d'|' -f2-)
        [ -n "$want" ] || fail "no expected message for $f"
        expect_rc 2 "$bin" sweep plan "$f" -o "$tmp/plan" --no-probe
        got=$(cat "$tmp/out")
        [ "$got" = "$want" ] || fail "$f: got '$got', want '$want'"
        [ ! -e "$tmp/plan" ] || fail "$f: a failed plan left $tmp/plan behind"
        n=$((n + 1))
    done
    [ "$n" -ge 15 ] || fail "only $n corpus files"
    expect_rc 2 "$bin" sweep plan "$sweep"
    expect_text "sweep plan needs -o DIR"
    expect_rc 2 "$bin" sweep launch x
    expect_text "unknown sweep command 'launch'"
    expect_rc 2 "$bin" sweep status "$tmp/none"
    expect_text "holds no plan.toml"
    ;;
local)
    expect_rc 0 "$bin" sweep plan "$sweep" -o "$tmp/s"
    expect_text "planned 20 members of small_flood"
    grep -q -- '^#SBATCH --array' "$tmp/s/sweep.sbatch" && fail "the batch script fixes --array (submit gives it)"
    grep -q -- '#SBATCH --mem=' "$tmp/s/sweep.sbatch" || fail "the batch script has no --mem"
    expect_rc 2 "$bin" sweep plan "$sweep" -o "$tmp/s"
    expect_text "already holds a planned sweep"
    # The same sweep file plans the same members.
    expect_rc 0 "$bin" sweep plan "$sweep" -o "$tmp/again" --no-probe
    diff -r "$tmp/s/members" "$tmp/again/members" >/dev/null || fail "planning twice gave different member scenes"
    cmp "$tmp/s/manifest.csv" "$tmp/again/manifest.csv" || fail "planning twice gave different manifests"

    # A member killed while it runs leaves no result (and no half-written one).
    set +e
    timeout -s KILL 0.7 "$bin" sweep member "$tmp/s" 5 >/dev/null 2>&1
    set -e
    [ ! -e "$tmp/s/results/m000005.result" ] || fail "a killed member left a result"
    expect_rc 0 "$bin" sweep member "$tmp/s" 5
    [ -s "$tmp/s/results/m000005.result" ] || fail "member 5 wrote no result"
    cp "$tmp/s/results/m000005.result" "$tmp/m5.result"

    expect_rc 1 "$bin" sweep collect "$tmp/s"
    expect_text "19 of 20 members have no result"
    expect_rc 0 "$bin" sweep run "$tmp/s" -j 2 --quiet
    expect_text "1 of 20 members already have results"
    expect_text "ran 19 members in"
    expect_text "19 done, 0 failed"
    [ "$(count_results "$tmp/s")" -eq 20 ] || fail "not 20 results"
    cmp "$tmp/s/results/m000005.result" "$tmp/m5.result" || fail "the run redid member 5"
    ls "$tmp/s/results" | grep -v '\.result$' && fail "stray files in results/"
    [ -z "$(ls -A "$tmp/s/work" 2>/dev/null)" ] || fail "work folders were left behind"

    # A member is reproducible alone: `infrascape run` of its scene gives the value its result holds.
    expect_rc 0 "$bin" run "$tmp/s/members/m000012.toml" --until 30min --export "$tmp/alone"
    alone=$(awk -F, '$1 == "Camp" {print $7}' "$tmp/alone/flood/warnings.csv")
    expect_rc 0 "$bin" sweep collect "$tmp/s"
    expect_text "collected 20 of 20 members"
    col=$(head -1 "$tmp/s/collected/members.csv" | tr ',' '\n' | grep -n '^camp_depth_m$' | cut -d: -f1)
    swept=$(awk -F, -v c="$col" '$1 == 12 {print $c}' "$tmp/s/collected/members.csv")
    python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-9 * max(1, abs(a)) else 1)" \
        "$alone" "$swept" || fail "member 12 alone gave camp depth $alone, the sweep $swept"

    # The collection: every member once, percentiles ordered, exceedance consistent with members.csv.
    [ "$(wc -l < "$tmp/s/collected/members.csv")" -eq 21 ] || fail "members.csv does not have 20 rows"
    for f in summary.csv exceedance.csv groups.csv camp_depth_m.png lead_time_s.png gauge_depth_10min_m.png \
             p_flooded_g1.asc p_flooded_g1.tif p_flooded_g1.png p_flooded_g2.asc; do
        [ -s "$tmp/s/collected/$f" ] || fail "collect wrote no $f"
    done
    python3 - "$tmp/s/collected" <<'EOF' || fail "the collection does not add up"
import csv, sys
d = sys.argv[1]
members = list(csv.DictReader(open(d + "/members.csv")))
for row in csv.DictReader(open(d + "/summary.csv")):
    vals = sorted(float(m[row["output"]]) for m in members
                  if m[row["output"]] != "" and "warn_depth = " + m["warn_depth"] == row["group"])
    assert int(row["with_value"]) == len(vals), row
    if vals:
        q = [float(row[k]) for k in ("min", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "max")]
        assert q == sorted(q), row
        assert q[0] == vals[0] and q[-1] == vals[-1], row
        h = (len(vals) - 1) * 0.5  # the median by hand (type 7)
        lo = int(h)
        med = vals[lo] + (h - lo) * (vals[min(lo + 1, len(vals) - 1)] - vals[lo])
        assert abs(float(row["p50"]) - med) <= 1e-12 * max(1, abs(med)), (row, med)
for row in csv.DictReader(open(d + "/exceedance.csv")):
    grp = [m for m in members if "warn_depth = " + m["warn_depth"] == row["group"]]
    n = sum(1 for m in grp if m[row["output"]] != "" and float(m[row["output"]]) > float(row["threshold"]))
    assert int(row["exceeding"]) == n and int(row["members"]) == len(grp), row
# The probability map: a fraction of the group's members, so a multiple of 1/10, within [0, 1].
rows = [l.split() for l in open(d + "/p_flooded_g1.asc")][6:]
vals = [float(v) for r in rows for v in r if float(v) != -9999]
assert vals and all(0 <= v <= 1 and abs(v * 10 - round(v * 10)) < 1e-3 for v in vals)
assert max(vals) == 1.0 and min(vals) == 0.0
EOF
    # A damaged result file is refused with its place, not read as numbers.
    cp "$tmp/s/results/m000004.result" "$tmp/m4.result"
    printf 'infrascape-sweep-result 1\nmember 4\noutput abc\n' > "$tmp/s/results/m000004.result"
    expect_rc 2 "$bin" sweep collect "$tmp/s"
    expect_text "results/m000004.result:3:8: 'abc' is not a number"
    head -c 100 "$tmp/m4.result" > "$tmp/s/results/m000004.result"
    expect_rc 2 "$bin" sweep collect "$tmp/s"
    expect_text "results/m000004.result:"
    cp "$tmp/m4.result" "$tmp/s/results/m000004.result"
    # The view scene opens the map over the terrain (checked headless: the scene loads and runs).
    [ -s "$tmp/s/collected/view_p_flooded_g1.toml" ] || fail "collect wrote no view scene"
    grep -q "probability_map = 'p_flooded_g1.asc'" "$tmp/s/collected/view_p_flooded_g1.toml" || fail "the view scene lacks its map"
    expect_rc 0 "$bin" run "$tmp/s/collected/view_p_flooded_g1.toml" --until 1min --export "$tmp/view" --validate
    expect_rc 0 "$bin" render "$tmp/s/collected/view_p_flooded_g1.toml" -o "$tmp/frames" --frames 1 --size 320x180 --validate --quiet
    [ -s "$tmp/frames/frame_000000.png" ] || fail "the view scene rendered no frame"
    # --force runs a member again; the result is the same bit for bit.
    expect_rc 0 "$bin" sweep member "$tmp/s" 5
    cmp "$tmp/s/results/m000005.result" "$tmp/m5.result" || fail "member 5 run twice differs"
    ;;
plan10k)
    cat > "$tmp/big.toml" <<EOF
base = "$PWD/tests/golden/scenes/flood_small.toml"
until = "10min"
method = "lhs"
samples = 5000
[[vary]]
name = "rain"
set = "flood.storm_peak_mm_per_h"
min = 10.0
max = 300.0
[[vary]]
name = "threshold"
set = "flood.gauges[1].warn_depth_m"
values = [0.5, 1.0]
[[output]]
name = "d"
file = "flood/warnings.csv"
column = "max_depth_m"
where = {site = "Camp"}
EOF
    start=$(date +%s.%N)
    expect_rc 0 "$bin" sweep plan "$tmp/big.toml" -o "$tmp/big" --no-probe
    end=$(date +%s.%N)
    expect_text "planned 10000 members"
    [ "$(ls "$tmp/big/members" | wc -l)" -eq 10000 ] || fail "not 10000 member scenes"
    echo "planned 10000 members in $(python3 -c "print(round($end - $start, 2))") s"
    # A Latin hypercube: each of the 5000 strata of the rain range holds exactly one draw per threshold.
    python3 - "$tmp/big/manifest.csv" <<'EOF' || fail "the draws are not a Latin hypercube"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for t in ("0.5", "1"):
    strata = sorted(int((float(r["rain"]) - 10.0) / 290.0 * 5000) for r in rows if r["threshold"] == t)
    assert strata == list(range(5000)), t
EOF
    ;;
slurm)
    if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root to start slurmctld and slurmd"; exit 77; fi
    sdir=$tmp/slurm
    cleanup() { scripts/slurm-local.sh stop "$sdir" || true; rm -rf "$tmp"; }
    started=$(scripts/slurm-local.sh start "$sdir") || fail "scripts/slurm-local.sh could not start Slurm"
    eval "$started"
    expect_rc 0 "$bin" sweep plan "$sweep" -o "$tmp/a"
    expect_rc 0 "$bin" sweep plan "$sweep" -o "$tmp/b" --no-probe
    expect_rc 0 "$bin" sweep submit "$tmp/a"
    expect_text "submitted job"
    job=$(cut -d' ' -f1 "$tmp/a/jobs.txt")
    # Member 17 is still pending this early (two tasks run at a time): cancel it, as an admin or a preemption would.
    scancel "${job}_17"
    expect_rc 2 "$bin" sweep submit "$tmp/a"
    expect_text "was submitted already"
    wait_queue() {
        for _ in $(seq 1 600); do
            [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0
            sleep 1
        done
        fail "job $1 still queued after 600 s"
    }
    wait_queue "$job"
    expect_rc 0 "$bin" sweep status "$tmp/a"
    expect_text "19 done, 0 running, 0 pending, 0 failed, 1 ended without a result, 0 not run"
    expect_text "member 17 ended without a result"
    [ ! -e "$tmp/a/results/m000017.result" ] || fail "the cancelled member has a result"
    expect_rc 0 "$bin" sweep submit "$tmp/a" --retry-failed
    expect_text "submitted job"
    expect_text "array 17"
    job2=$(tail -1 "$tmp/a/jobs.txt" | cut -d' ' -f1)
    wait_queue "$job2"
    expect_rc 0 "$bin" sweep status "$tmp/a"
    expect_text "20 done, 0 running, 0 pending, 0 failed, 0 ended without a result, 0 not run"
    expect_rc 0 "$bin" sweep submit "$tmp/a" --retry-failed
    expect_text "no member to retry"
    expect_rc 0 "$bin" sweep collect "$tmp/a"
    expect_rc 0 "$bin" sweep run "$tmp/b" -j 2 --quiet
    expect_rc 0 "$bin" sweep collect "$tmp/b"
    diff -r "$tmp/a/results" "$tmp/b/results" || fail "Slurm and local results differ"
    diff -r "$tmp/a/collected" "$tmp/b/collected" || fail "Slurm and local collections differ"
    echo "Slurm and local sweeps agree bit for bit ($(ls "$tmp/a/collected" | wc -l) collected files)"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "PASS: $case_name"
