// The geometry of the story of a compressed root: axes, centres and the pinch field, computed once
// per structure and story (``cached``) from the meshes' own vertices.
import * as THREE from "three";

export const ROOT_PINCH_MM = 7;   // length of root (sigma, mm) the pinch spreads over

export function smooth(t) { t = Math.min(Math.max(t, 0), 1); return t * t * (3 - 2 * t); }

export function principalAxis(points, centre) {
  // Largest eigenvector of the covariance by power iteration (points: flat xyz array).
  const c = [0, 0, 0, 0, 0, 0];   // xx xy xz yy yz zz
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i] - centre.x, y = points[i + 1] - centre.y, z = points[i + 2] - centre.z;
    c[0] += x * x; c[1] += x * y; c[2] += x * z; c[3] += y * y; c[4] += y * z; c[5] += z * z;
  }
  let v = new THREE.Vector3(0.3, 0.4, 0.86);
  for (let k = 0; k < 40; k++) {
    const w = new THREE.Vector3(c[0] * v.x + c[1] * v.y + c[2] * v.z, c[1] * v.x + c[3] * v.y + c[4] * v.z,
                                c[2] * v.x + c[4] * v.y + c[5] * v.z);
    if (w.lengthSq() < 1e-12) break;
    v = w.normalize();
  }
  return v;
}
export function vertexSample(e, limit = 4000) {
  const out = [];
  for (const mesh of e.meshes) {
    const pos = mesh.userData.orig || mesh.geometry.attributes.position.array;
    const step = Math.max(1, Math.floor(pos.length / 3 / limit)) * 3;
    for (let i = 0; i + 2 < pos.length; i += step) out.push(pos[i], pos[i + 1], pos[i + 2]);
  }
  return out;
}
export function centroid(points) {
  const c = new THREE.Vector3();
  const n = points.length / 3;
  for (let i = 0; i < points.length; i += 3) c.x += points[i], c.y += points[i + 1], c.z += points[i + 2];
  return n ? c.multiplyScalar(1 / n) : c;
}
// Scale by `axial` along unit `axis` and by `radial` across it, about `pivot`, then move by `shift`.
export function axisMatrix(axis, axial, radial, pivot, shift) {
  const a = axis, d = axial - radial;
  const s = [radial + d * a.x * a.x, d * a.x * a.y, d * a.x * a.z,
             d * a.y * a.x, radial + d * a.y * a.y, d * a.y * a.z,
             d * a.z * a.x, d * a.z * a.y, radial + d * a.z * a.z];
  const p = pivot, t = shift || new THREE.Vector3();
  const tx = p.x - (s[0] * p.x + s[1] * p.y + s[2] * p.z) + t.x;
  const ty = p.y - (s[3] * p.x + s[4] * p.y + s[5] * p.z) + t.y;
  const tz = p.z - (s[6] * p.x + s[7] * p.y + s[8] * p.z) + t.z;
  return new THREE.Matrix4().set(s[0], s[1], s[2], tx, s[3], s[4], s[5], ty, s[6], s[7], s[8], tz, 0, 0, 0, 1);
}
export function setMatrix(e, m) {
  e.group.matrixAutoUpdate = false;
  e.group.matrix.copy(m);
  e.group.matrixWorldNeedsUpdate = true;
}
export function discGeometry(cached, e, axis) {
  return cached("disc", e, () => {
    const pts = vertexSample(e);
    const c = centroid(pts);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < pts.length; i += 3) {
      const h = (pts[i] - c.x) * axis.x + (pts[i + 1] - c.y) * axis.y + (pts[i + 2] - c.z) * axis.z;
      lo = Math.min(lo, h); hi = Math.max(hi, h);
    }
    return { centre: c, height: hi - lo, bottom: c.clone().addScaledVector(axis, lo) };
  });
}
export function muscleGeometry(cached, e) {
  return cached("muscle", e, () => {
    const pts = vertexSample(e);
    const c = centroid(pts);
    const axis = principalAxis(pts, c);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < pts.length; i += 3) {
      const h = (pts[i] - c.x) * axis.x + (pts[i + 1] - c.y) * axis.y + (pts[i + 2] - c.z) * axis.z;
      lo = Math.min(lo, h); hi = Math.max(hi, h);
    }
    return { centre: c, axis, length: hi - lo };
  });
}
// Per vertex of the root, how far (and which way) it moves toward the root's axis at full pinch.
export function pinchField(cached, e, at, discCentre) {
  return cached("pinch", e, () => {
    const all = vertexSample(e, 1e9);
    let c = at ? new THREE.Vector3(...at) : null;
    if (!c) {   // no foramen landmark: the root's point nearest the disc
      let best = Infinity;
      for (let i = 0; i < all.length; i += 3) {
        const d = discCentre.distanceToSquared(new THREE.Vector3(all[i], all[i + 1], all[i + 2]));
        if (d < best) { best = d; c = new THREE.Vector3(all[i], all[i + 1], all[i + 2]); }
      }
    }
    let near = [];
    for (const r of [14, 22, 34, 60]) {
      near = [];
      for (let i = 0; i < all.length; i += 3) {
        const dx = all[i] - c.x, dy = all[i + 1] - c.y, dz = all[i + 2] - c.z;
        if (dx * dx + dy * dy + dz * dz < r * r) near.push(all[i], all[i + 1], all[i + 2]);
      }
      if (near.length >= 36) break;
    }
    const q = near.length ? centroid(near) : c.clone();
    const t = principalAxis(near.length >= 9 ? near : all, q);
    return e.meshes.map((mesh) => {
      const attr = mesh.geometry.attributes.position;
      if (!mesh.userData.orig) mesh.userData.orig = attr.array.slice();
      const o = mesh.userData.orig;
      const field = new Float32Array(o.length);
      const p = new THREE.Vector3();
      for (let i = 0; i < o.length; i += 3) {
        p.set(o[i] - q.x, o[i + 1] - q.y, o[i + 2] - q.z);
        const along = p.dot(t);
        const w = Math.exp(-(along * along) / (2 * ROOT_PINCH_MM * ROOT_PINCH_MM));
        if (w < 0.01 || p.length() > 6 * ROOT_PINCH_MM) continue;
        field[i] = (p.x - t.x * along) * w;
        field[i + 1] = (p.y - t.y * along) * w;
        field[i + 2] = (p.z - t.z * along) * w;
      }
      return { mesh, field };
    });
  });
}
