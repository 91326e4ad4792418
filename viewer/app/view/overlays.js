// Overlays: acupuncture point markers, meridian paths, dermatomes and (techniques.js) the zones of
// manual techniques, as the server's scene lists them.
import * as THREE from "three";
import { CSS2DObject } from "three/addons/renderers/CSS2DRenderer.js";
import { el_ } from "./dom.js";
import { installTechniques } from "./techniques.js";

export function clearGroup(group) {
  for (const child of [...group.children]) {
    group.remove(child);
    child.traverse((o) => {
      if (o.geometry && !o.geometry.userData.shared) o.geometry.dispose();
      if (o.material) o.material.dispose();
      if (o.isCSS2DObject && o.element.parentNode) o.element.parentNode.removeChild(o.element);
    });
  }
}

export function installOverlays(v) {
  const { model, camera, markerGroup, pathGroup, colours } = v;

  // One sphere and one ring for every marker (scaled), kept for the view's life: a click's answer
  // rebuilds the markers, and new geometries (and their buffers) for each would cost it.
  const sphere = new THREE.SphereGeometry(1, 20, 14);
  const ringGeometry = new THREE.TorusGeometry(1.55, 0.16, 10, 40);
  sphere.userData.shared = ringGeometry.userData.shared = true;
  v.buildMarkers = function buildMarkers() {
    clearGroup(markerGroup);
    for (const mk of model.markers || []) {
      if (!mk || !mk.position) continue;
      const radius = mk.radius || 7;
      const material = new THREE.MeshStandardMaterial({
        color: mk.color || colours.marker, emissive: mk.color || colours.marker,
        emissiveIntensity: mk.selected ? 0.7 : 0.35, roughness: 0.35, metalness: 0.0,
      });
      const dot = new THREE.Mesh(sphere, material);
      dot.scale.setScalar(radius);
      dot.position.set(...mk.position);
      dot.renderOrder = 3;
      dot.userData = { marker: mk.code, selected: !!mk.selected };
      if (mk.selected) {
        const ring = new THREE.Mesh(ringGeometry, new THREE.MeshBasicMaterial({ color: "#ffffff" }));
        ring.lookAt(camera.position.clone().sub(dot.position));
        dot.add(ring);
      }
      if (mk.label !== "" && mk.label !== null) {
        const tag = el_("div", mk.selected ? "radix-label radix-label-selected" : "radix-label", mk.label ?? mk.code);
        const label = new CSS2DObject(tag);
        label.position.set(0, 0, 1.6);
        dot.add(label);
      }
      markerGroup.add(dot);
    }
  };
  v.disposeMarkerGeometry = function disposeMarkerGeometry() { sphere.dispose(); ringGeometry.dispose(); };

  // Meridian polylines arrive once per session in ``path_library`` (id -> {points, color, width});
  // a selection sends only the ids to show, and each tube is built once and then reused.
  const pathCache = new Map();
  v.disposePathCache = function disposePathCache() {
    for (const mesh of pathCache.values()) { mesh.geometry.dispose(); mesh.material.dispose(); }
    pathCache.clear();
  };
  function pathMesh(id) {
    if (pathCache.has(id)) return pathCache.get(id);
    const p = (model.path_library || {})[id];
    if (!p || !p.points || p.points.length < 2) return null;
    const pts = p.points.map((q) => new THREE.Vector3(...q));
    const curve = new THREE.CatmullRomCurve3(pts, false, "centripetal");
    const tube = new THREE.TubeGeometry(curve, Math.min(pts.length * 8, 600), p.width || 2.2, 6, false);
    const material = new THREE.MeshStandardMaterial({
      color: p.color || colours.path, emissive: p.color || colours.path, emissiveIntensity: 0.25,
      roughness: 0.5, transparent: (p.opacity ?? 1) < 1, opacity: p.opacity ?? 1,
    });
    const mesh = new THREE.Mesh(tube, material);
    mesh.userData = { path: id };
    pathCache.set(id, mesh);
    return mesh;
  }
  v.buildPaths = function buildPaths() {
    for (const child of [...pathGroup.children]) pathGroup.remove(child);   // cached, not disposed
    for (const id of model.paths || []) {
      const mesh = pathMesh(id);
      if (mesh) pathGroup.add(mesh);
    }
  };
  // The dermatome layer: the skin over the selected root's territory, coloured from the masks the
  // server sent once (``skin_dermatomes``: a uint32 bit mask per skin vertex, bit i for roots[i]).
  // ``model.dermatomes`` says which roots to colour now ([{root, sides, color}]).
  let masks = null;
  function dermatomeMasks() {
    const sd = model.skin_dermatomes || {};
    if (masks && masks.source === sd) return masks;
    masks = { source: sd, values: null };
    if (!sd.masks || !sd.count) return masks;
    const raw = atob(sd.masks);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    if (bytes.length !== sd.count * 4) { console.warn("Radix: dermatome masks of the wrong size"); return masks; }
    masks.values = new Uint32Array(bytes.buffer);
    return masks;
  }
  const SIDE_MM = 8;   // within this of the midline a vertex is on both sides (viewer/body_regions.py)
  v.dermatomesDrawn = { drawn: false, coloured: 0, roots: [] };
  v.drawDermatomes = function drawDermatomes(specs = model.dermatomes || [], opacityOverride = null) {
    const sd = model.skin_dermatomes || {};
    const e = sd.id != null ? v.entries.get(String(sd.id)) : null;
    if (!e) return;
    const layer = ((model.structure_styles || {}).kinds || {}).dermatomes || {};
    const values = dermatomeMasks().values;
    const mesh = e.meshes[0];
    const pos = mesh && mesh.geometry.attributes.position;
    const draw = specs.length > 0 && (layer.visible ?? true) && values && pos && pos.count === values.length;
    if (!draw) {
      if (e.dermatomes) {
        for (const m of e.materials) { m.vertexColors = false; m.needsUpdate = true; }
        e.dermatomes = false;
      }
      v.dermatomesDrawn = { drawn: false, coloured: 0, roots: [] };
      return;
    }
    // The same dermatomes as last drawn (a click's answer restyles everything, usually with the
    // same ones): the colours on the skin stand; only its look is set again.
    const opacity = Math.max(0.05, Math.min(1, opacityOverride ?? layer.opacity ?? 0.75));
    const key = JSON.stringify(specs);
    if (e.dermatomes && e.dermatomesKey === key && e.dermatomesValues === values && mesh.geometry.attributes.color) {
      v.setLook(e, "#ffffff", "#000000", opacity, true);
      return;
    }
    const roots = sd.roots || [];
    const wanted = specs.map((d) => ({
      bit: roots.indexOf(d.root) >= 0 ? (1 << roots.indexOf(d.root)) >>> 0 : 0,
      left: (d.sides || []).includes("left"), right: (d.sides || []).includes("right"),
      color: new THREE.Color(d.color),
    }));
    const skin = new THREE.Color(colours.dermatome_skin || colours.base);
    const out = new Float32Array(pos.count * 3);
    let coloured = 0;
    for (let i = 0; i < pos.count; i++) {
      const x = pos.getX(i);
      let c = skin;
      for (const w of wanted) {
        const sideOk = (x > -SIDE_MM && w.left) || (x < SIDE_MM && w.right);
        if (sideOk && (values[i] & w.bit) >>> 0) { c = w.color; coloured += 1; break; }
      }
      out[i * 3] = c.r; out[i * 3 + 1] = c.g; out[i * 3 + 2] = c.b;
    }
    mesh.geometry.setAttribute("color", new THREE.BufferAttribute(out, 3));
    v.setLook(e, "#ffffff", "#000000", opacity, true);
    for (const m of e.materials) { if (!m.vertexColors) { m.vertexColors = true; m.needsUpdate = true; } }
    e.dermatomes = true;
    e.dermatomesKey = key;
    e.dermatomesValues = values;
    v.dermatomesDrawn = { drawn: true, coloured, roots: specs.map((d) => d.root) };
  };
  installTechniques(v);
  // After new markers or paths: styled as their layer says, hidden while a story narrows a space.
  v.refreshOverlays = function refreshOverlays() {
    v.overlayStyles();
    if (v.story.overlaysHidden) markerGroup.visible = pathGroup.visible = false;
    v.requestRender();
  };
}
