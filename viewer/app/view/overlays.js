// Overlays: acupuncture point markers and meridian paths, as the server's scene lists them.
import * as THREE from "three";
import { CSS2DObject } from "three/addons/renderers/CSS2DRenderer.js";
import { el_ } from "./dom.js";

export function clearGroup(group) {
  for (const child of [...group.children]) {
    group.remove(child);
    child.traverse((o) => {
      if (o.geometry) o.geometry.dispose();
      if (o.material) o.material.dispose();
      if (o.isCSS2DObject && o.element.parentNode) o.element.parentNode.removeChild(o.element);
    });
  }
}

export function installOverlays(v) {
  const { model, camera, markerGroup, pathGroup, colours } = v;

  v.buildMarkers = function buildMarkers() {
    clearGroup(markerGroup);
    const sphere = new THREE.SphereGeometry(1, 20, 14);
    for (const mk of model.markers || []) {
      if (!mk || !mk.position) continue;
      const radius = mk.radius || 7;
      const material = new THREE.MeshStandardMaterial({
        color: mk.color || colours.marker, emissive: mk.color || colours.marker,
        emissiveIntensity: mk.selected ? 0.7 : 0.35, roughness: 0.35, metalness: 0.0,
      });
      const dot = new THREE.Mesh(sphere.clone(), material);
      dot.scale.setScalar(radius);
      dot.position.set(...mk.position);
      dot.renderOrder = 3;
      dot.userData = { marker: mk.code, selected: !!mk.selected };
      if (mk.selected) {
        const ring = new THREE.Mesh(
          new THREE.TorusGeometry(1.55, 0.16, 10, 40),
          new THREE.MeshBasicMaterial({ color: "#ffffff" }),
        );
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
    sphere.dispose();
  };

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
  // After new markers or paths: styled as their layer says, hidden while a story narrows a space.
  v.refreshOverlays = function refreshOverlays() {
    v.overlayStyles();
    if (v.story.overlaysHidden) markerGroup.visible = pathGroup.visible = false;
    v.requestRender();
  };
}
