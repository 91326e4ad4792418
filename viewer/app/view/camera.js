// The camera: framing a box from a preset direction, the toolbar of presets (sent by Python) and
// the camera requests of the server.
import * as THREE from "three";
import { el_ } from "./dom.js";

export function installCamera(v) {
  const { model, camera, controls, entries, markerGroup, toolbar } = v;
  const directionOf = (name) => (v.cameras[name] ? v.cameras[name].direction : null);

  v.frameBox = function frameBox(box, direction) {
    if (box.isEmpty()) return;
    const center = box.getCenter(new THREE.Vector3());
    const size = box.getSize(new THREE.Vector3());
    const radius = Math.max(size.length() / 2, 40);
    const dir = direction
      ? new THREE.Vector3(...direction).normalize()
      : camera.position.clone().sub(controls.target).normalize();
    const vfov = THREE.MathUtils.degToRad(camera.fov);
    const hfov = 2 * Math.atan(Math.tan(vfov / 2) * camera.aspect);
    const distance = (radius / Math.sin(Math.min(vfov, hfov) / 2)) * 1.02;
    controls.target.copy(center);
    camera.position.copy(center).addScaledVector(dir, distance);
    camera.near = Math.max(distance / 200, 1);
    camera.far = distance * 20 + radius * 4;
    camera.updateProjectionMatrix();
    controls.update();
    v.requestRender();
  };
  v.setView = function setView(name) {
    const dir = directionOf(name) || directionOf(v.defaultView);
    v.frameBox(v.bodyBox, dir);
  };
  function highlightedBox() {
    const box = new THREE.Box3();
    const ids = ((model.structure_styles || {}).ids) || {};
    for (const [id, style] of Object.entries(ids)) {
      const e = entries.get(String(id));
      if (e && style && style.highlight && e.group.visible) box.union(e.box);
    }
    for (const m of markerGroup.children) {
      if (m.isMesh) box.expandByPoint(m.position);
    }
    return box;
  }
  v.focusSelection = function focusSelection(viewName) {
    const dir = viewName ? directionOf(viewName) : null;
    const box = highlightedBox();
    if (box.isEmpty()) return v.frameBox(v.bodyBox, dir);
    v.frameBox(box, dir);
  };

  for (const [name, { label }] of Object.entries(v.cameras)) {
    const button = el_("button", "radix-btn", label);
    button.type = "button";
    button.title = `View from the ${name === "left" || name === "right" ? "subject's " + name : name}`;
    button.dataset.view = name;
    button.addEventListener("click", () => {
      v.setView(name);
      model.view = name;          // reported so the link can carry the camera preset
    });
    toolbar.appendChild(button);
  }
  const focusButton = el_("button", "radix-btn radix-btn-accent", "Focus");
  focusButton.type = "button";
  focusButton.title = "Frame the highlighted structures";
  focusButton.dataset.view = "focus";
  focusButton.addEventListener("click", () => v.focusSelection(null));
  toolbar.appendChild(focusButton);

  v.applyCameraRequest = function applyCameraRequest() {
    const req = model.camera_request || {};
    if (!v.loaded || !req.seq) return;
    if (req.focus) v.focusSelection(req.view);
    else if (req.view) v.setView(req.view);
  };
}
