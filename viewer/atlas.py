"""The anatomical atlas: structures by id or acronym, their hierarchy, lazy meshes and landmarks.

Reads ``assets/atlas/{metadata,structures,landmarks}.json`` and ``assets/meshes/<id>.glb`` (format
in ``docs/ARCHITECTURE.md``). Read-only: nothing here changes the files. Never imports panel,
pyvista or anything of the browser.

Examples
--------
>>> atlas = load_atlas()                      # doctest: +SKIP
>>> atlas["L4"].kind                          # doctest: +SKIP
'bone'
>>> [s.acronym for s in atlas.children("lumbar_spine")]   # doctest: +SKIP
['L1', 'L2', 'L3', 'L4', 'L5']
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

DEFAULT_ASSETS = Path(__file__).resolve().parents[1] / "assets"

KINDS = ("group", "bone", "disc", "cord", "nerve_root", "muscle", "skin")
#: The sides of the body, named once for every layer: paired structures end in ``_left`` /
#: ``_right`` (the subject's); single ones lie on the midline.
PAIRED_SIDES = ("left", "right")
MIDLINE = "midline"
SIDES = (None, *PAIRED_SIDES, MIDLINE)


class AtlasError(ValueError):
    """A problem in the atlas files; the message names the file, the record and the field."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems in the atlas"
        body = "" if len(problems) == 1 else "\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(head + body)


@dataclass(frozen=True)
class Structure:
    """One atlas record (see ``docs/ARCHITECTURE.md``)."""

    id: int
    acronym: str
    name: str
    kind: str
    structure_id_path: tuple[int, ...]
    parent: str | None
    level: str | None
    side: str | None
    fma_id: int | None
    mesh: str | None
    color: str | None


@dataclass(frozen=True)
class Landmark:
    """A named point of the body: ``position`` (3,) mm, the structure it belongs to, and how it was
    computed."""

    name: str
    position: tuple[float, float, float]
    structure: str
    method: str

    @property
    def xyz(self) -> np.ndarray:
        return np.asarray(self.position, dtype=float)


_FIELDS = {
    "id": int, "acronym": str, "name": str, "kind": str, "structure_id_path": list,
}


#: A mesh file name: a plain name under ``assets/meshes/`` (no folders, no ``..``), e.g. ``1007.glb``.
MESH_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.glb$")

#: Optional fields of a structure record and the types they may have besides null.
_OPTIONAL = {"parent": str, "level": str, "side": str, "fma_id": int, "color": str}


def _finite(value) -> bool:
    """A JSON number that is a finite float (not a bool, not NaN/Infinity, not a huge integer)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _read_json(path: Path, problems: list[str]):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{path.name}: file is missing ({path})")
    except json.JSONDecodeError as exc:
        problems.append(f"{path.name}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
    except UnicodeDecodeError as exc:
        problems.append(f"{path.name}: not UTF-8 text ({exc.reason})")
    except RecursionError:
        problems.append(f"{path.name}: JSON nested too deeply to read")
    except OSError as exc:
        problems.append(f"{path.name}: cannot read {path}: {exc.strerror or exc}")
    return None


def _parse_structures(raw, problems: list[str]) -> list[Structure]:
    fname = "structures.json"
    if not isinstance(raw, list):
        problems.append(f"{fname}: expected a list of structure records, got {type(raw).__name__}")
        return []
    out: list[Structure] = []
    for index, rec in enumerate(raw):
        label = f"{fname}: record {index}"
        if not isinstance(rec, dict):
            problems.append(f"{label}: expected an object, got {type(rec).__name__}")
            continue
        if isinstance(rec.get("acronym"), str):
            label = f"{fname}: record {rec['acronym']} (index {index})"
        bad = False
        for key, typ in _FIELDS.items():
            if key not in rec:
                problems.append(f"{label}: field {key}: missing")
                bad = True
            elif not isinstance(rec[key], typ) or (typ is int and isinstance(rec[key], bool)):
                problems.append(f"{label}: field {key}: expected {typ.__name__}, "
                                f"got {type(rec[key]).__name__}")
                bad = True
        for key, typ in _OPTIONAL.items():
            value = rec.get(key)
            if value is not None and (not isinstance(value, typ)
                                      or (typ is int and isinstance(value, bool))):
                problems.append(f"{label}: field {key}: expected {typ.__name__} or null, "
                                f"got {type(value).__name__}")
                bad = True
        if bad:
            continue
        if rec["kind"] not in KINDS:
            problems.append(f"{label}: field kind: {rec['kind']!r} is not one of {', '.join(KINDS)}")
            continue
        if rec.get("side") not in SIDES:
            problems.append(f"{label}: field side: {rec.get('side')!r} is not left, right, midline or null")
            continue
        path = rec["structure_id_path"]
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in path):
            problems.append(f"{label}: field structure_id_path: must be a list of integer ids")
            continue
        mesh = rec.get("mesh")
        if mesh is not None and not (isinstance(mesh, str) and MESH_NAME.match(mesh)):
            problems.append(f"{label}: field mesh: expected a .glb file name under meshes/ "
                            f"(no folders) or null, got {mesh!r}")
            continue
        if rec["kind"] != "group" and mesh is None:
            problems.append(f"{label}: field mesh: a {rec['kind']} needs a mesh file")
            continue
        out.append(Structure(
            id=rec["id"], acronym=rec["acronym"], name=rec["name"], kind=rec["kind"],
            structure_id_path=tuple(path), parent=rec.get("parent"), level=rec.get("level"),
            side=rec.get("side"), fma_id=rec.get("fma_id"), mesh=mesh, color=rec.get("color"),
        ))
    return out


def _parse_landmarks(raw, problems: list[str]) -> dict[str, Landmark]:
    fname = "landmarks.json"
    if not isinstance(raw, dict):
        problems.append(f"{fname}: expected an object of named landmarks, got {type(raw).__name__}")
        return {}
    out: dict[str, Landmark] = {}
    for name, rec in raw.items():
        label = f"{fname}: record {name}"
        if not isinstance(rec, dict):
            problems.append(f"{label}: expected an object")
            continue
        pos = rec.get("position")
        if (not isinstance(pos, list) or len(pos) != 3
                or not all(_finite(v) for v in pos)):
            problems.append(f"{label}: field position: expected three finite numbers, got {pos!r}")
            continue
        if not isinstance(rec.get("structure"), str):
            problems.append(f"{label}: field structure: missing or not a string")
            continue
        method = rec.get("method", "")
        if not isinstance(method, str):
            problems.append(f"{label}: field method: expected a string, got {type(method).__name__}")
            continue
        out[name] = Landmark(name, tuple(float(v) for v in pos), rec["structure"], method)
    return out


# --- validators: each returns a list of problems (empty when fine) -------------------------------

def validate_ids_unique(atlas: "Atlas") -> list[str]:
    seen: dict[int, str] = {}
    problems = []
    for s in atlas.structures:
        if s.id in seen:
            problems.append(f"structures.json: record {s.acronym}: field id: {s.id} is also used by {seen[s.id]}")
        seen[s.id] = s.acronym
    return problems


def validate_acronyms_unique(atlas: "Atlas") -> list[str]:
    seen: set[str] = set()
    problems = []
    for s in atlas.structures:
        if s.acronym in seen:
            problems.append(f"structures.json: record {s.acronym}: field acronym: used twice")
        seen.add(s.acronym)
    return problems


def glb_problem(path: Path) -> str | None:
    """What is wrong with a binary glTF file's header, or None when it looks whole.

    Reads 12 bytes: the ``glTF`` magic, version 2 and the total length, which must equal the
    file's size (a truncated or padded file fails). Cheap enough to run over every mesh.
    """
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(12)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size < 64 or len(header) < 12:
        return "is empty or truncated"
    magic, version, length = struct.unpack("<4sII", header)
    if magic != b"glTF":
        return "is not a binary glTF (GLB) file"
    if version != 2:
        return f"is glTF version {version}, expected 2"
    if length != size:
        return f"is truncated or padded: its header says {length} bytes, the file has {size}"
    return None


def validate_meshes_exist(atlas: "Atlas") -> list[str]:
    problems = []
    for s in atlas.structures:
        if s.mesh is None:
            continue
        path = atlas.mesh_dir / s.mesh
        if not path.is_file():
            problems.append(f"structures.json: record {s.acronym}: field mesh: {s.mesh} "
                            f"does not exist in {atlas.mesh_dir}")
            continue
        wrong = glb_problem(path)
        if wrong:
            problems.append(f"structures.json: record {s.acronym}: field mesh: {s.mesh} {wrong}")
    return problems


def validate_hierarchy(atlas: "Atlas") -> list[str]:
    problems = []
    by_id = {s.id: s for s in atlas.structures}
    roots = [s for s in atlas.structures if s.parent is None]
    if len(roots) != 1:
        problems.append(f"structures.json: expected exactly one root structure, found {len(roots)}")
    for s in atlas.structures:
        label = f"structures.json: record {s.acronym}: field structure_id_path"
        path = s.structure_id_path
        if not path or path[-1] != s.id:
            problems.append(f"{label}: must end with the structure's own id {s.id}")
            continue
        missing = [i for i in path if i not in by_id]
        if missing:
            problems.append(f"{label}: ids {missing} are not structures")
            continue
        if s.parent is None:
            if len(path) != 1:
                problems.append(f"{label}: a root must have a path of length 1")
            continue
        parent = atlas.get(s.parent)
        if parent is None:
            problems.append(f"structures.json: record {s.acronym}: field parent: {s.parent!r} is not a structure")
        elif path[:-1] != parent.structure_id_path:
            problems.append(f"{label}: does not continue its parent's path {list(parent.structure_id_path)}")
        elif parent.kind != "group":
            problems.append(f"structures.json: record {s.acronym}: field parent: {s.parent!r} "
                            f"is a {parent.kind}, not a group")
    return problems


def validate_landmarks(atlas: "Atlas") -> list[str]:
    problems = []
    for lm in atlas.landmarks.values():
        if lm.structure not in atlas:
            problems.append(f"landmarks.json: record {lm.name}: field structure: {lm.structure!r} is not a structure")
    return problems


def validate_metadata(atlas: "Atlas") -> list[str]:
    problems = []
    for key in ("name", "version", "units", "axes", "body_height_mm", "sources"):
        if key not in atlas.metadata:
            problems.append(f"metadata.json: field {key}: missing")
    if atlas.metadata.get("units") not in (None, "mm"):
        problems.append(f"metadata.json: field units: {atlas.metadata.get('units')!r}; Radix works in mm")
    for key in ("name", "version"):
        if key in atlas.metadata and not isinstance(atlas.metadata[key], str):
            problems.append(f"metadata.json: field {key}: expected a string, "
                            f"got {type(atlas.metadata[key]).__name__}")
    height = atlas.metadata.get("body_height_mm")
    if "body_height_mm" in atlas.metadata and not (_finite(height) and height > 0):
        problems.append(f"metadata.json: field body_height_mm: expected a positive number, got {height!r}")
    return problems


VALIDATORS: tuple[Callable[["Atlas"], list[str]], ...] = (
    validate_metadata, validate_ids_unique, validate_acronyms_unique, validate_hierarchy,
    validate_meshes_exist, validate_landmarks,
)


@dataclass(frozen=True)
class Atlas:
    """The loaded atlas (read-only). Use :func:`load_atlas`."""

    root: Path
    metadata: dict
    structures: tuple[Structure, ...]
    landmarks: dict[str, Landmark]
    _mesh_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def mesh_dir(self) -> Path:
        return self.root / "meshes"

    @cached_property
    def _by_acronym(self) -> dict[str, Structure]:
        return {s.acronym: s for s in self.structures}

    @cached_property
    def _by_id(self) -> dict[int, Structure]:
        return {s.id: s for s in self.structures}

    def __contains__(self, key: str | int) -> bool:
        return key in (self._by_id if isinstance(key, int) else self._by_acronym)

    def __getitem__(self, key: str | int) -> Structure:
        """A structure by acronym or id; ``KeyError`` naming the key if there is none."""
        table = self._by_id if isinstance(key, int) else self._by_acronym
        try:
            return table[key]
        except KeyError:
            raise KeyError(f"no structure {key!r} in the atlas") from None

    def get(self, key: str | int) -> Structure | None:
        return (self._by_id if isinstance(key, int) else self._by_acronym).get(key)

    def __iter__(self) -> Iterator[Structure]:
        return iter(self.structures)

    def of_kind(self, kind: str) -> list[Structure]:
        """Structures of one kind, e.g. ``"muscle"``."""
        return [s for s in self.structures if s.kind == kind]

    def children(self, key: str | int) -> list[Structure]:
        """Direct children of a structure."""
        parent = self[key]
        return [s for s in self.structures if s.parent == parent.acronym]

    def descendants(self, key: str | int) -> list[Structure]:
        """All structures below ``key`` in the hierarchy."""
        sid = self[key].id
        return [s for s in self.structures if sid in s.structure_id_path[:-1]]

    def ancestors(self, key: str | int) -> list[Structure]:
        """The structures above ``key``, root first."""
        return [self._by_id[i] for i in self[key].structure_id_path[:-1]]

    def mesh_path(self, key: str | int) -> Path:
        s = self[key]
        if s.mesh is None:
            raise KeyError(f"structure {s.acronym!r} is a group and has no mesh")
        return self.mesh_dir / s.mesh

    def mesh(self, key: str | int):
        """The structure's mesh as a ``trimesh.Trimesh`` in mm, loaded on first use and cached.

        Raises ``KeyError`` for an unknown structure or a group, and :class:`AtlasError` naming
        the record and file when the mesh file is missing, truncated or not a GLB mesh.
        """
        import trimesh

        s = self[key]
        if s.id not in self._mesh_cache:
            path = self.mesh_path(s.id)
            wrong = glb_problem(path) if path.is_file() else f"does not exist in {self.mesh_dir}"
            if wrong is None:
                try:
                    loaded = trimesh.load(path, file_type="glb", force="mesh", process=False)
                except Exception as exc:  # trimesh raises many types on a damaged file
                    wrong = f"cannot be read as a mesh ({type(exc).__name__}: {exc})"
                else:
                    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
                        wrong = "holds no triangle mesh"
            if wrong is not None:
                raise AtlasError([f"structures.json: record {s.acronym}: field mesh: {s.mesh} {wrong}"])
            self._mesh_cache[s.id] = loaded
        return self._mesh_cache[s.id]

    def landmark(self, name: str) -> np.ndarray:
        """Position (3,) mm of a named landmark; ``KeyError`` naming it if the body lacks it."""
        try:
            return self.landmarks[name].xyz
        except KeyError:
            raise KeyError(f"the body has no landmark {name!r}") from None

    def validate(self) -> list[str]:
        """Run every validator; return all problems (empty when the atlas is sound)."""
        problems: list[str] = []
        for check in VALIDATORS:
            problems.extend(check(self))
        return problems


def load_atlas(assets_dir: str | Path | None = None, validate: bool = True) -> Atlas:
    """Load the atlas under ``assets_dir`` (default: the project's ``assets``).

    Raises
    ------
    AtlasError
        Listing every problem found (file, record, field), so a broken atlas is never half-loaded.
    """
    root = Path(assets_dir) if assets_dir is not None else DEFAULT_ASSETS
    folder = root / "atlas"
    problems: list[str] = []
    metadata = _read_json(folder / "metadata.json", problems)
    raw_structures = _read_json(folder / "structures.json", problems)
    raw_landmarks = _read_json(folder / "landmarks.json", problems)
    if problems:
        raise AtlasError(problems)
    if not isinstance(metadata, dict):
        raise AtlasError([f"metadata.json: expected an object, got {type(metadata).__name__}"])
    structures = _parse_structures(raw_structures, problems)
    landmarks = _parse_landmarks(raw_landmarks, problems)
    if problems:
        raise AtlasError(problems)
    atlas = Atlas(root=root, metadata=metadata, structures=tuple(structures), landmarks=landmarks)
    if validate:
        problems = atlas.validate()
        if problems:
            raise AtlasError(problems)
    return atlas
