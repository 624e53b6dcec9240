#!/usr/bin/env python3
"""Compares a power-flow CSV written by `infrascape grid pf` with MATPOWER's reference CSV: every column the
reference has must match, row by row, within the grid issue's tolerances (angles 1e-6 deg, magnitudes
1e-6 p.u., flows 1e-4 MW or MVAr). Prints the worst difference per column; exit 1 on any mismatch."""
import csv
import sys

TOLERANCE = {"va_deg": 1e-6, "vm_pu": 1e-6, "pf_mw": 1e-4, "qf_mvar": 1e-4, "bus": 0, "from_bus": 0, "to_bus": 0}


def main(ours_path, reference_path):
    with open(ours_path) as f:
        ours = list(csv.DictReader(f))
    with open(reference_path) as f:
        ref = list(csv.DictReader(f))
    if len(ours) != len(ref):
        print(f"{ours_path}: {len(ours)} rows, reference {reference_path} has {len(ref)}")
        return 1
    failed = False
    for column in ref[0].keys():
        worst, where = 0.0, None
        for k, (a, b) in enumerate(zip(ours, ref)):
            d = abs(float(a[column]) - float(b[column]))
            if d > worst:
                worst, where = d, k + 2
        ok = worst <= TOLERANCE[column]
        failed |= not ok
        print(f"{column}: worst |difference| {worst:.3g}{'' if where is None else f' (line {where})'}"
              f" {'ok' if ok else 'ABOVE'} tolerance {TOLERANCE[column]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
