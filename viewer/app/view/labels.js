// Labels beside highlighted structures, and the rule that keeps labels from covering each other.
import * as THREE from "three";
import { CSS2DObject } from "three/addons/renderers/CSS2DRenderer.js";
import { el_ } from "./dom.js";

// Labels that would overlap a more important one are hidden (not removed: they come back when
// the camera turns): the selection first, then structure names, then points, in order.
function labelRank(n) {
  if (n.classList.contains("radix-label-selected")) return 0;
  return n.classList.contains("radix-label-structure") ? 1 : 2;
}
export function declutterLabels(container) {
  const shown = [...container.querySelectorAll(".radix-label")]
    .filter((n) => n.style.display !== "none");
  shown.sort((a, b) => labelRank(a) - labelRank(b));
  const kept = [];
  for (const n of shown) {
    const r = n.getBoundingClientRect();
    const overlaps = r.width > 0 && kept.some((k) =>
      r.left < k.right - 1 && r.right > k.left + 1 && r.top < k.bottom - 1 && r.bottom > k.top + 1);
    n.classList.toggle("radix-label-covered", overlaps);
    if (!overlaps && r.width > 0) kept.push(r);
  }
}

// Show ``text`` beside structure ``e`` (or remove its label when there is none).
export function setLabel(v, e, text) {
  if (!text) {
    if (e.label) { v.scene.remove(e.label); e.label.element.remove(); e.label = null; }
    return;
  }
  if (!e.label) {
    const tag = el_("div", "radix-label radix-label-structure", text);
    e.label = new CSS2DObject(tag);
    const c = e.box.getCenter(new THREE.Vector3());
    // Midline bones and discs: label at their right-hand edge, clear of midline point markers.
    if (Math.abs(c.x) < 5 && (e.kind === "bone" || e.kind === "disc")) c.x = e.box.min.x;
    e.label.position.copy(c);
    v.scene.add(e.label);
  }
  if (e.label.element.textContent !== text) e.label.element.textContent = text;
}
