#!/usr/bin/env python3
"""Generates Infrascape's procedural models (assets/models/) and the broken loader-test models (tests/models/).
Run it to rewrite them; run it with --check to validate every asset on disk and confirm it matches this script.
Python 3 standard library only; the output is byte-for-byte deterministic."""

import argparse
import base64
import json
import math
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- vector helpers


def add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def mul(a, s):
    return (a[0] * s, a[1] * s, a[2] * s)


def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def length(a):
    return math.sqrt(dot(a, a))


def normalize(a):
    n = length(a)
    if n == 0.0:
        raise ValueError("cannot normalise a zero vector")
    return (a[0] / n, a[1] / n, a[2] / n)


def lerp(a, b, t):
    return add(a, mul(sub(b, a), t))


def centroid(pts):
    s = (0.0, 0.0, 0.0)
    for p in pts:
        s = add(s, p)
    return mul(s, 1.0 / len(pts))


def newell(pts):
    """Normal of a planar polygon, oriented so that pts run counter-clockwise around it."""
    nx = ny = nz = 0.0
    for i, p in enumerate(pts):
        q = pts[(i + 1) % len(pts)]
        nx += (p[1] - q[1]) * (p[2] + q[2])
        ny += (p[2] - q[2]) * (p[0] + q[0])
        nz += (p[0] - q[0]) * (p[1] + q[1])
    return (nx, ny, nz)


# --------------------------------------------------------------------------- mesh building


class Mesh:
    """A flat-shaded triangle soup: every triangle carries its own face normal.

    All parts are convex solids; each face is wound counter-clockwise seen from outside (the
    glTF and OBJ front-face convention) and its normal points away from the part's centre.
    """

    def __init__(self):
        self.tris = []  # (a, b, c, normal)

    def polygon(self, pts, inside):
        """Adds a planar convex polygon, oriented to face away from the point `inside`."""
        n = newell(pts)
        if dot(n, sub(centroid(pts), inside)) < 0.0:
            pts = list(reversed(pts))
            n = mul(n, -1.0)
        n = normalize(n)
        for i in range(1, len(pts) - 1):
            self.tris.append((pts[0], pts[i], pts[i + 1], n))

    def hexahedron(self, corner, skip=()):
        """corner[(i, j, k)] for i, j, k in {0, 1}: a convex solid with planar faces.

        Faces are named '-0', '+0', '-1', ... after the local axis they close; names listed in
        `skip` are left out (faces that lie against another part and can never be seen).
        """
        centre = centroid(list(corner.values()))
        for axis in range(3):
            b, c = [a for a in range(3) if a != axis]
            for side in (0, 1):
                if ("-+"[side] + str(axis)) in skip:
                    continue
                ring = []
                for u, v in ((0, 0), (1, 0), (1, 1), (0, 1)):
                    key = [0, 0, 0]
                    key[axis], key[b], key[c] = side, u, v
                    ring.append(corner[tuple(key)])
                self.polygon(ring, centre)

    def box(self, lo, hi, skip=()):
        """Axis-aligned box; skip takes '-x', '+y', ... for faces to leave out."""
        names = {"-x": "-0", "+x": "+0", "-y": "-1", "+y": "+1", "-z": "-2", "+z": "+2"}
        corner = {}
        for i in (0, 1):
            for j in (0, 1):
                for k in (0, 1):
                    corner[(i, j, k)] = (hi[0] if i else lo[0], hi[1] if j else lo[1], hi[2] if k else lo[2])
        self.hexahedron(corner, skip=[names[s] for s in skip])

    def beam(self, p0, p1, w, side=None):
        """Square-section member of width w from p0 to p1 (end faces perpendicular to it).

        `side` (optional) is a direction one pair of the member's faces should face, e.g. the
        normal of the lattice face a brace lies in, so that the brace sits flat in that face.
        """
        d = normalize(sub(p1, p0))
        if side is None:
            side = (0.0, 1.0, 0.0) if abs(d[1]) < 0.9 else (1.0, 0.0, 0.0)
        u = sub(side, mul(d, dot(side, d)))
        if length(u) < 1e-6:  # side hint parallel to the member: fall back to any perpendicular
            u = sub((0.0, 0.0, 1.0), mul(d, d[2]))
        u = normalize(u)
        v = cross(d, u)
        h = w / 2.0
        corner = {}
        for i, p in ((0, p0), (1, p1)):
            for j in (0, 1):
                for k in (0, 1):
                    corner[(i, j, k)] = add(add(p, mul(u, h if j else -h)), mul(v, h if k else -h))
        self.hexahedron(corner)

    def sheared_post(self, b, t, w, up_axis):
        """Square-section member from b to t whose two end faces are perpendicular to up_axis
        (so a tapering tower leg stands flat on the ground)."""
        a1, a2 = [a for a in range(3) if a != up_axis]
        corner = {}
        for i, p in ((0, b), (1, t)):
            for j in (0, 1):
                for k in (0, 1):
                    q = list(p)
                    q[a1] += w / 2.0 if j else -w / 2.0
                    q[a2] += w / 2.0 if k else -w / 2.0
                    corner[(i, j, k)] = tuple(q)
        self.hexahedron(corner)

    def prism_z(self, r, z0, z1, sides, bottom=True, top=True):
        """Regular `sides`-gon prism about the z axis (flat shaded), from z0 to z1."""
        ring = []
        for i in range(sides):
            a = 2.0 * math.pi * i / sides
            ring.append((r * math.cos(a), r * math.sin(a)))
        centre = (0.0, 0.0, (z0 + z1) / 2.0)
        for i in range(sides):
            (x0, y0), (x1, y1) = ring[i], ring[(i + 1) % sides]
            self.polygon([(x0, y0, z0), (x1, y1, z0), (x1, y1, z1), (x0, y0, z1)], centre)
        if bottom:
            self.polygon([(x, y, z0) for x, y in ring], centre)
        if top:
            self.polygon([(x, y, z1) for x, y in ring], centre)


# --------------------------------------------------------------------------- writers


def fmt(x):
    s = "%.6f" % x
    return "0.000000" if s == "-0.000000" else s


def obj_bytes(mesh, header_lines, name):
    """Wavefront OBJ: deduplicated v and vn, triangles only as 'f v//vn v//vn v//vn'."""
    vidx, nidx = {}, {}
    vlines, nlines, flines = [], [], []

    def index(table, lines, prefix, p):
        key = " ".join(fmt(c) for c in p)
        if key not in table:
            table[key] = len(table) + 1
            lines.append("%s %s" % (prefix, key))
        return table[key]

    for a, b, c, n in mesh.tris:
        ni = index(nidx, nlines, "vn", n)
        idx = [index(vidx, vlines, "v", p) for p in (a, b, c)]
        flines.append("f %d//%d %d//%d %d//%d" % (idx[0], ni, idx[1], ni, idx[2], ni))
    out = ["# " + line if line else "#" for line in header_lines]
    out.append("# %d vertices, %d normals, %d triangles" % (len(vlines), len(nlines), len(flines)))
    out.append("o " + name)
    out += vlines + nlines
    out.append("s off")
    out += flines
    return ("\n".join(out) + "\n").encode("ascii")


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def gltf_bytes(mesh, name, generator_note, base_color):
    """glTF 2.0 JSON with one embedded base64 buffer: POSITION, NORMAL, indices; 1 mesh, 1 node."""
    verts, lookup, indices = [], {}, []
    for a, b, c, n in mesh.tris:
        nn = tuple(f32(x) for x in n)
        for p in (a, b, c):
            key = (tuple(f32(x) for x in p), nn)
            if key not in lookup:
                lookup[key] = len(verts)
                verts.append(key)
            indices.append(lookup[key])
    pos = b"".join(struct.pack("<3f", *v[0]) for v in verts)
    nrm = b"".join(struct.pack("<3f", *v[1]) for v in verts)
    if len(verts) < 65536:
        idx_ctype, idx = 5123, struct.pack("<%dH" % len(indices), *indices)
    else:
        idx_ctype, idx = 5125, struct.pack("<%dI" % len(indices), *indices)
    pad = b"\x00" * ((4 - len(idx) % 4) % 4)
    blob = pos + nrm + idx + pad
    lo = [min(v[0][i] for v in verts) for i in range(3)]
    hi = [max(v[0][i] for v in verts) for i in range(3)]
    doc = {
        "asset": {"version": "2.0", "generator": "Infrascape scripts/gen_assets.py", "extras": {"note": generator_note}},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": name, "mesh": 0}],
        "meshes": [{"name": name, "primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2, "material": 0, "mode": 4}]}],
        "materials": [{"name": name, "pbrMetallicRoughness": {"baseColorFactor": base_color, "metallicFactor": 0.0, "roughnessFactor": 0.8}}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(verts), "type": "VEC3", "min": lo, "max": hi},
            {"bufferView": 1, "componentType": 5126, "count": len(verts), "type": "VEC3"},
            {"bufferView": 2, "componentType": idx_ctype, "count": len(indices), "type": "SCALAR"},
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(pos), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos), "byteLength": len(nrm), "target": 34962},
            {"buffer": 0, "byteOffset": len(pos) + len(nrm), "byteLength": len(idx), "target": 34963},
        ],
        "buffers": [{"byteLength": len(blob), "uri": "data:application/octet-stream;base64," + base64.b64encode(blob).decode("ascii")}],
    }
    return (json.dumps(doc, indent=1) + "\n").encode("ascii")


# --------------------------------------------------------------------------- models


def building():
    """Unit building block, z up: footprint x, y in [-0.5, 0.5], z in [0, 1].

    The roof is inset: a parapet of thickness T rises from the roof level R to 1, and a small
    roof housing (stair/plant room) sits on the roof. Scaled per instance by the engine.
    """
    m = Mesh()
    T, R = 0.03, 0.96
    o, i = 0.5, 0.5 - T
    inside = (0.0, 0.0, 0.5)
    # outer walls and ground face
    m.polygon([(-o, -o, 0.0), (o, -o, 0.0), (o, -o, 1.0), (-o, -o, 1.0)], inside)
    m.polygon([(o, -o, 0.0), (o, o, 0.0), (o, o, 1.0), (o, -o, 1.0)], inside)
    m.polygon([(o, o, 0.0), (-o, o, 0.0), (-o, o, 1.0), (o, o, 1.0)], inside)
    m.polygon([(-o, o, 0.0), (-o, -o, 0.0), (-o, -o, 1.0), (-o, o, 1.0)], inside)
    m.polygon([(-o, -o, 0.0), (o, -o, 0.0), (o, o, 0.0), (-o, o, 0.0)], inside)
    # parapet top: a ring of four trapezoids at z = 1, all facing up
    up_ref = (0.0, 0.0, 0.0)
    outer = [(-o, -o), (o, -o), (o, o), (-o, o)]
    inner = [(-i, -i), (i, -i), (i, i), (-i, i)]
    for k in range(4):
        a, b = outer[k], outer[(k + 1) % 4]
        c, d = inner[(k + 1) % 4], inner[k]
        m.polygon([(a[0], a[1], 1.0), (b[0], b[1], 1.0), (c[0], c[1], 1.0), (d[0], d[1], 1.0)], up_ref)
    # parapet inner faces, facing the middle of the roof
    for k in range(4):
        a, b = inner[k], inner[(k + 1) % 4]
        quad = [(a[0], a[1], R), (b[0], b[1], R), (b[0], b[1], 1.0), (a[0], a[1], 1.0)]
        outward = (a[0] + b[0], a[1] + b[1], 0.0)  # away from the centre; the face must point back in
        m.polygon(quad, add((0.0, 0.0, R), mul(outward, 2.0)))
    # roof
    m.polygon([(x, y, R) for x, y in inner], (0.0, 0.0, 0.0))
    # roof housing, offset towards one corner so the roof has an orientation cue
    m.box((0.12, 0.10, R), (0.34, 0.30, 1.0), skip=("-z",))
    return m


def house():
    """Unit low house, z up: footprint x, y in [-0.5, 0.5], z in [0, 1].

    Box walls up to the eaves at z = 0.6 under a gable roof whose ridge runs along x at y = 0,
    z = 1. One convex solid: the gable ends are pentagons (wall and gable in one plane).
    The engine scales it per instance, to small heights for low-density cells.
    """
    m = Mesh()
    o, E = 0.5, 0.6
    inside = (0.0, 0.0, 0.5)
    for x in (-o, o):  # gable ends
        m.polygon([(x, -o, 0.0), (x, o, 0.0), (x, o, E), (x, 0.0, 1.0), (x, -o, E)], inside)
    for y in (-o, o):  # eaves walls
        m.polygon([(-o, y, 0.0), (o, y, 0.0), (o, y, E), (-o, y, E)], inside)
    for y in (-o, o):  # roof slopes, eaves to ridge
        m.polygon([(-o, y, E), (o, y, E), (o, 0.0, 1.0), (-o, 0.0, 1.0)], inside)
    m.polygon([(-o, -o, 0.0), (o, -o, 0.0), (o, o, 0.0), (-o, o, 0.0)], inside)
    return m


def highrise():
    """Unit high-rise with setbacks, z up: footprint x, y in [-0.5, 0.5], z in [0, 1].

    A podium over the whole footprint to z = 0.25, a shaft inset to [-0.35, 0.35] up to 0.85,
    and a crown inset to [-0.25, 0.25] up to 1. Each setback terrace is a ring of four
    trapezoids around the part above it, so no face hides under another. Written as highrise.obj
    (not to be confused with tower.gltf, the transmission tower); scaled per instance.
    """
    m = Mesh()
    tiers = [(0.5, 0.0, 0.25), (0.35, 0.25, 0.85), (0.25, 0.85, 1.0)]  # (half width, z0, z1)
    for k, (h, z0, z1) in enumerate(tiers):
        last = k == len(tiers) - 1
        skip = []
        if k > 0:
            skip.append("-z")  # stands on the terrace below
        if not last:
            skip.append("+z")  # replaced by the terrace ring
        m.box((-h, -h, z0), (h, h, z1), skip=skip)
        if not last:  # terrace: the top of this tier around the foot of the next
            i = tiers[k + 1][0]
            outer = [(-h, -h), (h, -h), (h, h), (-h, h)]
            inner = [(-i, -i), (i, -i), (i, i), (-i, i)]
            for j in range(4):
                a, b = outer[j], outer[(j + 1) % 4]
                c, d = inner[(j + 1) % 4], inner[j]
                m.polygon([(a[0], a[1], z1), (b[0], b[1], z1), (c[0], c[1], z1), (d[0], d[1], z1)], (0.0, 0.0, z0))
    return m


def cooling_unit():
    """CRAH unit, z up, 2.0 (x) x 0.9 (y) x 1.9 (z) m, base on z = 0, centred in x and y.

    The top carries an air-discharge grille: a 6 cm frame around slats running along y.
    """
    m = Mesh()
    W, D, H = 2.0, 0.9, 1.9
    hx, hy = W / 2.0, D / 2.0
    top, rail = 1.84, 0.06
    m.box((-hx, -hy, 0.0), (hx, hy, top))
    # frame: long rails along x (full length), short rails along y between them
    m.box((-hx, -hy, top), (hx, -hy + rail, H), skip=("-z",))
    m.box((-hx, hy - rail, top), (hx, hy, H), skip=("-z",))
    m.box((-hx, -hy + rail, top), (-hx + rail, hy - rail, H), skip=("-z", "-y", "+y"))
    m.box((hx - rail, -hy + rail, top), (hx, hy - rail, H), skip=("-z", "-y", "+y"))
    # slats inside the opening, a little below the frame top
    x0, x1 = -hx + rail, hx - rail
    n, sw, sh = 16, 0.05, 0.045
    pitch = (x1 - x0) / n
    for k in range(n):
        cx = x0 + pitch * (k + 0.5)
        m.box((cx - sw / 2, -hy + rail, top), (cx + sw / 2, hy - rail, top + sh), skip=("-z", "-y", "+y"))
    return m


def marker():
    """Gauge/marker post, z up: a 12-sided post of radius 0.025 to z = 0.9 and a cap to z = 1."""
    m = Mesh()
    m.prism_z(0.025, 0.0, 0.9, 12, bottom=True, top=False)
    m.prism_z(0.07, 0.9, 1.0, 12, bottom=True, top=True)
    return m


def rack():
    """Server rack, glTF Y-up: 0.6 m wide (x), 2.0 m tall (y), 1.2 m deep (z), base on y = 0.

    The front faces +z (the glTF convention for an asset's front): a 5 cm door frame stands
    2 cm proud of the door panel, which carries a handle near its right-hand edge.
    """
    m = Mesh()
    hx, hz, H = 0.3, 0.6, 2.0
    door, b = hz - 0.02, 0.05
    m.box((-hx, 0.0, -hz), (hx, H, door))
    m.box((-hx, H - b, door), (hx, H, hz), skip=("-z",))
    m.box((-hx, 0.0, door), (hx, b, hz), skip=("-z",))
    m.box((-hx, b, door), (-hx + b, H - b, hz), skip=("-z", "-y", "+y"))
    m.box((hx - b, b, door), (hx, H - b, hz), skip=("-z", "-y", "+y"))
    m.box((0.19, 0.9, door), (0.215, 1.15, door + 0.015), skip=("-z",))
    return m


TOWER_LEVELS = [0.0, 4.5, 8.5, 12.0, 15.0, 17.5, 19.5, 21.0, 23.0, 24.5, 27.0]
TOWER_BODY_TOP = 27.0
TOWER_APEX = 30.0


def tower_half_width(y):
    return 3.0 + (0.8 - 3.0) * y / TOWER_BODY_TOP


def tower():
    """Lattice transmission tower, glTF Y-up, ~30 m tall, base centred on the origin.

    Four straight tapering legs (6 m square at the ground, 1.6 m at 27 m), horizontal struts at
    every panel level, X bracing in every panel of all four faces, a pyramidal earth-wire peak to
    30 m, and two truss cross-arms along x (7 m and 5.5 m from the axis) with insulator strings.
    """
    m = Mesh()
    corners = [(1, 1), (-1, 1), (-1, -1), (1, -1)]  # (sx, sz), going round the tower

    def leg_point(sx, sz, y):
        h = tower_half_width(y)
        return (sx * h, y, sz * h)

    for sx, sz in corners:
        m.sheared_post(leg_point(sx, sz, 0.0), leg_point(sx, sz, TOWER_BODY_TOP), 0.22, up_axis=1)
        m.beam(leg_point(sx, sz, TOWER_BODY_TOP), (0.0, TOWER_APEX, 0.0), 0.12, side=(sx, 0.0, sz))

    faces = []  # (corner a, corner b, outward normal of the face)
    for k in range(4):
        (ax, az), (bx, bz) = corners[k], corners[(k + 1) % 4]
        faces.append(((ax, az), (bx, bz), ((ax + bx) / 2.0, 0.0, (az + bz) / 2.0)))

    for y in TOWER_LEVELS[1:]:
        for (ax, az), (bx, bz), n in faces:
            m.beam(leg_point(ax, az, y), leg_point(bx, bz, y), 0.12, side=n)
    for y0, y1 in zip(TOWER_LEVELS, TOWER_LEVELS[1:]):
        y0 = max(y0, 0.2)  # lowest braces start just above the footings, so nothing dips below y = 0
        for (ax, az), (bx, bz), n in faces:
            m.beam(leg_point(ax, az, y0), leg_point(bx, bz, y1), 0.08, side=n)
            m.beam(leg_point(bx, bz, y0), leg_point(ax, az, y1), 0.08, side=n)

    # cross-arms: (bottom level, top level, reach from the tower axis)
    for yb, yt, reach in ((19.5, 21.0, 7.0), (23.0, 24.5, 5.5)):
        for s in (1, -1):
            root = {
                ("b", 1): leg_point(s, 1, yb), ("b", -1): leg_point(s, -1, yb),
                ("t", 1): leg_point(s, 1, yt), ("t", -1): leg_point(s, -1, yt),
            }
            tip = {
                ("b", 1): (s * reach, yb, 0.2), ("b", -1): (s * reach, yb, -0.2),
                ("t", 1): (s * reach, yb + 0.4, 0.2), ("t", -1): (s * reach, yb + 0.4, -0.2),
            }
            for key in root:
                m.beam(root[key], tip[key], 0.12, side=(0.0, 0.0, key[1]) if key[0] == "b" else (0.0, 1.0, 0.0))
            bays = 4
            prev = root
            for j in range(1, bays + 1):
                t = j / bays
                cur = {key: lerp(root[key], tip[key], t) for key in root}
                for zs in (1, -1):  # front and back faces: vertical + diagonal
                    m.beam(cur[("b", zs)], cur[("t", zs)], 0.07, side=(0.0, 0.0, zs))
                    m.beam(prev[("b", zs)], cur[("t", zs)], 0.07, side=(0.0, 0.0, zs))
                m.beam(cur[("b", 1)], cur[("b", -1)], 0.07, side=(0.0, -1.0, 0.0))  # bottom cross member
                m.beam(cur[("t", 1)], cur[("t", -1)], 0.07, side=(0.0, 1.0, 0.0))  # top cross member
                m.beam(prev[("b", 1)], cur[("b", -1)], 0.07, side=(0.0, -1.0, 0.0))  # bottom diagonal
                prev = cur
            # insulator string hanging from the tip
            m.box((s * reach - 0.07, yb - 2.5, -0.07), (s * reach + 0.07, yb - 0.03, 0.07))
    return m


# --------------------------------------------------------------------------- broken test models

CORRUPT_GLTF = b"""{
  "asset": { "version": "2.0", "generator": "Infrascape scripts/gen_assets.py (deliberately corrupt test file)" },
  "scene": 0,
  "scenes": [ { "nodes": [ 0 ] } ],
  "nodes": [ { "mesh": 0 ],
  "meshes": [ { "primitives": [ { "attributes": { "POSITION": 0, "NORMAL": 1 }, "indices": 2
"""

TRUNCATED_OBJ = b"""# Loader test model (tests/models/truncated.obj), written by scripts/gen_assets.py.
# Deliberately broken: the file stops after three vertices, but its second face
# refers to vertex 4, which does not exist. A loader must reject it cleanly.
o truncated
v 0.000000 0.000000 0.000000
v 1.000000 0.000000 0.000000
v 1.000000 1.000000 0.000000
vn 0.000000 0.000000 1.000000
f 1//1 2//1 3//1
f 1//1 3//1 4//1
"""

EMPTY_OBJ = b"""# Loader test model (tests/models/empty.obj), written by scripts/gen_assets.py.
# Deliberately empty: vertices and a normal but no faces, so there is no geometry to load.
o empty
v 0.000000 0.000000 0.000000
v 1.000000 0.000000 0.000000
v 1.000000 1.000000 0.000000
vn 0.000000 0.000000 1.000000
"""

# --------------------------------------------------------------------------- the asset list

OBJ_ZUP = ["Right-handed, Z UP (Infrascape's convention for OBJ assets); units as stated above.",
           "Flat shaded: one vn per face; triangles wound counter-clockwise seen from outside."]


def outputs():
    """{relative path: bytes} for everything this script writes."""
    return {
        "assets/models/building.obj": obj_bytes(building(), [
            "Infrascape unit building block, generated by scripts/gen_assets.py (do not edit by hand).",
            "Footprint x, y in [-0.5, 0.5], z in [0, 1]; inset roof with parapet and a roof housing.",
            "The engine scales it per instance."] + OBJ_ZUP, "building"),
        "assets/models/house.obj": obj_bytes(house(), [
            "Infrascape unit low house, generated by scripts/gen_assets.py (do not edit by hand).",
            "Footprint x, y in [-0.5, 0.5], z in [0, 1]; walls to z = 0.6, gable roof with its ridge along x.",
            "The engine scales it per instance."] + OBJ_ZUP, "house"),
        "assets/models/highrise.obj": obj_bytes(highrise(), [
            "Infrascape unit high-rise with setbacks, generated by scripts/gen_assets.py (do not edit by hand).",
            "Footprint x, y in [-0.5, 0.5], z in [0, 1]; podium to 0.25, shaft [-0.35, 0.35] to 0.85,",
            "crown [-0.25, 0.25] to 1. Scaled per instance."] + OBJ_ZUP, "highrise"),
        "assets/models/cooling_unit.obj": obj_bytes(cooling_unit(), [
            "Infrascape CRAH (computer-room air handler) unit, generated by scripts/gen_assets.py.",
            "Metres: 2.0 (x) x 0.9 (y) x 1.9 (z), base on z = 0, centred in x and y; slatted top grille."] + OBJ_ZUP, "cooling_unit"),
        "assets/models/marker.obj": obj_bytes(marker(), [
            "Infrascape gauge/marker post, generated by scripts/gen_assets.py.",
            "1 unit tall (z in [0, 1]) with a small cap; base centred on the origin."] + OBJ_ZUP, "marker"),
        "assets/models/tower.gltf": gltf_bytes(tower(), "tower",
            "Lattice transmission tower, ~30 m, Y up as glTF requires; the app converts to its Z-up world.",
            [0.55, 0.57, 0.6, 1.0]),
        "assets/models/rack.gltf": gltf_bytes(rack(), "rack",
            "Server rack 0.6 (x) x 2.0 (y, up) x 1.2 (z) m; front door faces +z; Y up as glTF requires.",
            [0.12, 0.12, 0.14, 1.0]),
        "tests/models/corrupt.gltf": CORRUPT_GLTF,
        "tests/models/truncated.obj": TRUNCATED_OBJ,
        "tests/models/empty.obj": EMPTY_OBJ,
    }


# expected bounding boxes (min, max) and triangle budgets of the real models
EXPECT = {
    "assets/models/building.obj": ((-0.5, -0.5, 0.0), (0.5, 0.5, 1.0), 100),
    "assets/models/house.obj": ((-0.5, -0.5, 0.0), (0.5, 0.5, 1.0), 200),
    "assets/models/highrise.obj": ((-0.5, -0.5, 0.0), (0.5, 0.5, 1.0), 200),
    "assets/models/cooling_unit.obj": ((-1.0, -0.45, 0.0), (1.0, 0.45, 1.9), 1000),
    "assets/models/marker.obj": ((-0.07, -0.07, 0.0), (0.07, 0.07, 1.0), 500),
    "assets/models/rack.gltf": ((-0.3, 0.0, -0.6), (0.3, 2.0, 0.6), 500),
    "assets/models/tower.gltf": (None, None, 5000),
}

# --------------------------------------------------------------------------- validation


class CheckError(Exception):
    pass


def require(cond, msg):
    if not cond:
        raise CheckError(msg)


def check_triangles(tris, normal_tol):
    """tris: [(a, b, c, na, nb, nc)]. Non-degenerate, unit normals, winding agrees with normals."""
    for t, (a, b, c, *ns) in enumerate(tris):
        g = cross(sub(b, a), sub(c, a))
        require(length(g) > 1e-12, "triangle %d is degenerate" % t)
        g = normalize(g)
        for n in ns:
            require(abs(length(n) - 1.0) < normal_tol, "triangle %d: normal %r is not unit length" % (t, n))
            require(dot(g, n) > 0.999, "triangle %d: normal disagrees with its counter-clockwise winding" % t)


def bbox(points):
    return ([min(p[i] for p in points) for i in range(3)], [max(p[i] for p in points) for i in range(3)])


def check_obj(data):
    verts, norms, tris = [], [], []
    for ln, line in enumerate(data.decode("ascii").splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "v":
            require(len(parts) == 4, "line %d: v needs 3 coordinates" % ln)
            verts.append(tuple(float(x) for x in parts[1:]))
        elif parts[0] == "vn":
            require(len(parts) == 4, "line %d: vn needs 3 components" % ln)
            norms.append(tuple(float(x) for x in parts[1:]))
        elif parts[0] == "f":
            require(len(parts) == 4, "line %d: not a triangle" % ln)
            corners = []
            for tok in parts[1:]:
                m = re.fullmatch(r"(\d+)//(\d+)", tok)
                require(m is not None, "line %d: face corner %r is not v//vn" % (ln, tok))
                vi, ni = int(m.group(1)), int(m.group(2))
                require(1 <= vi <= len(verts), "line %d: vertex %d out of range" % (ln, vi))
                require(1 <= ni <= len(norms), "line %d: normal %d out of range" % (ln, ni))
                corners.append((verts[vi - 1], norms[ni - 1]))
            tris.append((corners[0][0], corners[1][0], corners[2][0], corners[0][1], corners[1][1], corners[2][1]))
        elif parts[0] in ("o", "s", "g"):
            continue
        else:
            raise CheckError("line %d: unexpected statement %r" % (ln, parts[0]))
    require(tris, "no faces")
    check_triangles(tris, 1e-5)
    return len(tris), bbox(verts)


COMPONENTS = {5120: ("b", 1), 5121: ("B", 1), 5122: ("h", 2), 5123: ("H", 2), 5125: ("I", 4), 5126: ("f", 4)}
WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def check_gltf(data):
    doc = json.loads(data)
    require(doc["asset"]["version"] == "2.0", "asset.version must be 2.0")
    require(len(doc["meshes"]) == 1 and len(doc["nodes"]) == 1, "expected one mesh and one node")
    require(doc["nodes"][0]["mesh"] == 0 and doc["scenes"][doc["scene"]]["nodes"] == [0], "node/scene wiring")
    require(len(doc["buffers"]) == 1, "expected one buffer")
    buf = doc["buffers"][0]
    prefix = "data:application/octet-stream;base64,"
    require(buf["uri"].startswith(prefix), "buffer is not an embedded base64 data URI")
    blob = base64.b64decode(buf["uri"][len(prefix):], validate=True)
    require(len(blob) == buf["byteLength"], "buffer byteLength %d != decoded %d" % (buf["byteLength"], len(blob)))

    def read(acc_index):
        acc = doc["accessors"][acc_index]
        view = doc["bufferViews"][acc["bufferView"]]
        code, size = COMPONENTS[acc["componentType"]]
        width = WIDTH[acc["type"]]
        start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
        nbytes = acc["count"] * width * size
        require("byteStride" not in view, "unexpected byteStride")
        require(view.get("byteOffset", 0) + view["byteLength"] <= len(blob), "bufferView runs past the buffer")
        require(acc.get("byteOffset", 0) + nbytes <= view["byteLength"], "accessor runs past its bufferView")
        require(start % size == 0, "accessor data is misaligned")
        vals = struct.unpack_from("<%d%s" % (acc["count"] * width, code), blob, start)
        if width == 1:
            return acc, view, list(vals)
        return acc, view, [tuple(vals[i:i + width]) for i in range(0, len(vals), width)]

    prims = doc["meshes"][0]["primitives"]
    require(len(prims) == 1 and prims[0].get("mode", 4) == 4, "expected one TRIANGLES primitive")
    prim = prims[0]
    pacc, pview, pos = read(prim["attributes"]["POSITION"])
    nacc, nview, nrm = read(prim["attributes"]["NORMAL"])
    iacc, iview, idx = read(prim["indices"])
    require(pacc["type"] == "VEC3" and pacc["componentType"] == 5126, "POSITION must be float VEC3")
    require(nacc["type"] == "VEC3" and nacc["componentType"] == 5126, "NORMAL must be float VEC3")
    require(iacc["type"] == "SCALAR" and iacc["componentType"] in (5121, 5123, 5125), "bad index type")
    require(pview.get("target") == 34962 and iview.get("target") == 34963, "bufferView targets")
    require(pacc["count"] == nacc["count"], "POSITION and NORMAL counts differ")
    lo, hi = bbox(pos)
    require(pacc["min"] == lo and pacc["max"] == hi, "POSITION min/max do not match the data")
    require(len(idx) % 3 == 0, "index count not a multiple of 3")
    require(max(idx) < len(pos), "index out of range")
    require(len(set(idx)) == len(pos), "unreferenced vertices")
    tris = []
    for t in range(0, len(idx), 3):
        i, j, k = idx[t:t + 3]
        tris.append((pos[i], pos[j], pos[k], nrm[i], nrm[j], nrm[k]))
    check_triangles(tris, 1e-6)
    return len(tris), (lo, hi)


def check_colormaps():
    line_re = re.compile(r"^(\d\.\d{6}),(\d\.\d{6}),(\d\.\d{6})$")
    for name in ("viridis", "inferno", "turbo", "cividis", "blues"):
        path = ROOT / "assets" / "colormaps" / (name + ".csv")
        text = path.read_bytes().decode("ascii")
        require(text.endswith("\n") and "\r" not in text, "%s: expected LF line endings" % path.name)
        lines = text.split("\n")[:-1]
        require(len(lines) == 256, "%s: %d lines, expected 256" % (path.name, len(lines)))
        for ln, line in enumerate(lines, 1):
            m = line_re.match(line)
            require(m is not None, "%s line %d: not 'r,g,b' with 6 decimals" % (path.name, ln))
            require(all(0.0 <= float(v) <= 1.0 for v in m.groups()), "%s line %d: out of [0,1]" % (path.name, ln))
        if name == "viridis":
            require(lines[0] == "0.267004,0.004874,0.329415" and lines[-1] == "0.993248,0.906157,0.143936",
                    "viridis first/last rows differ from matplotlib's _viridis_data")
        print("ok    assets/colormaps/%s.csv: 256 rows" % name)


def check(expected):
    failures = 0
    for rel, want in expected.items():
        path = ROOT / rel
        try:
            require(path.exists(), "missing (run scripts/gen_assets.py)")
            have = path.read_bytes()
            require(have == want, "differs from what scripts/gen_assets.py generates (re-run it)")
            if rel.startswith("tests/"):
                check_broken(rel, have)
                print("ok    %s: broken as intended" % rel)
                continue
            ntri, (lo, hi) = check_gltf(have) if rel.endswith(".gltf") else check_obj(have)
            elo, ehi, budget = EXPECT[rel]
            require(ntri <= budget, "%d triangles, over the budget of %d" % (ntri, budget))
            if elo is not None:
                require(all(abs(a - b) < 1e-6 for a, b in zip(lo + hi, list(elo) + list(ehi))),
                        "bounding box %r..%r, expected %r..%r" % (lo, hi, elo, ehi))
            print("ok    %s: %d triangles, bbox min %s max %s" % (
                rel, ntri, "(%s)" % ", ".join("%.3f" % v for v in lo), "(%s)" % ", ".join("%.3f" % v for v in hi)))
        except (CheckError, ValueError, KeyError, IndexError, TypeError, struct.error) as e:
            failures += 1
            print("FAIL  %s: %s" % (rel, e))
    try:
        tw = check_gltf((ROOT / "assets/models/tower.gltf").read_bytes())[1]
        require(tw[0][1] == 0.0 and 29.5 < tw[1][1] < 30.5, "tower must stand on y = 0 and be ~30 m tall (Y up)")
        check_colormaps()
        check_font()
    except (CheckError, OSError) as e:
        failures += 1
        print("FAIL  %s" % e)
    return failures


def check_broken(rel, data):
    if rel.endswith("corrupt.gltf"):
        try:
            json.loads(data)
        except ValueError:
            return
        raise CheckError("corrupt.gltf parses as JSON")
    if rel.endswith("truncated.obj"):
        try:
            check_obj(data)
        except CheckError as e:
            require("out of range" in str(e), "truncated.obj fails for the wrong reason: %s" % e)
            return
        raise CheckError("truncated.obj loads cleanly")
    if rel.endswith("empty.obj"):
        text = data.decode("ascii")
        require(not re.search(r"^f\s", text, re.M) and re.search(r"^v\s", text, re.M), "empty.obj must have vertices and no faces")
        return
    raise CheckError("unknown test file")


def check_font():
    font = ROOT / "assets" / "fonts" / "DejaVuSans.ttf"
    head = font.read_bytes()[:4]
    require(head == b"\x00\x01\x00\x00", "DejaVuSans.ttf is not a TrueType file")
    require((ROOT / "assets" / "fonts" / "LICENSE-DejaVu.txt").exists(), "LICENSE-DejaVu.txt missing")
    print("ok    assets/fonts/DejaVuSans.ttf and its licence")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="validate the files on disk instead of writing them")
    args = ap.parse_args()
    files = outputs()
    if args.check:
        failures = check(files)
        print("check: %s" % ("all good" if failures == 0 else "%d failure(s)" % failures))
        return 1 if failures else 0
    for rel, data in files.items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_bytes() == data:
            print("same  %s" % rel)
        else:
            path.write_bytes(data)
            print("wrote %s (%d bytes)" % (rel, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
