// Touch: a tap picks with a finger's tolerance, a long press names what is under the finger.
// One finger orbits and two pinch-zoom and pan through three.js's OrbitControls (its ``touches``
// are set in viewport.js); this module adds only what OrbitControls does not do.

import { el_ } from "./dom.js";

// A fingertip covers about 7-10 mm, some 40 CSS pixels: a tap that misses a thin structure by
// less than half of that still picks it.
export const TAP_RADIUS_PX = 18;
export const TAP_SLOP_PX = 10;        // a finger moving further than this is orbiting, not tapping
const LONG_PRESS_MS = 500;
const NAME_SHOWN_MS = 2500;
const RING_DIRECTIONS = 8;

export function installTouch(v) {
  const { model, root, canvas } = v;

  // Nearest hit within ``radius`` pixels of (x, y): the ray under the finger first, then rings of
  // rays at half and the full radius; a ring's hits go to the structure most of its rays hit.
  // The skin counts only when nothing else is near (it wraps the whole body).
  v.hitNear = function hitNear(clientX, clientY, radius = TAP_RADIUS_PX) {
    const centre = v.hitAt(clientX, clientY);
    if (centre && !isSkin(centre)) return centre;
    for (const r of [radius / 2, radius]) {
      const votes = new Map();
      for (let i = 0; i < RING_DIRECTIONS; i += 1) {
        const angle = (i / RING_DIRECTIONS) * 2 * Math.PI;
        const hit = v.hitAt(clientX + r * Math.cos(angle), clientY + r * Math.sin(angle));
        if (!hit || isSkin(hit)) continue;
        const key = hit.kind === "marker" ? `m:${hit.code}` : `s:${hit.id}`;
        const vote = votes.get(key) || { hit, count: 0 };
        vote.count += 1;
        votes.set(key, vote);
      }
      if (votes.size) return [...votes.values()].sort((a, b) => b.count - a.count)[0].hit;
    }
    return centre;
  };
  function isSkin(hit) {
    if (hit.kind !== "structure") return false;
    const e = v.entries.get(String(hit.id));
    return Boolean(e && e.kind === "skin");
  }
  function nameOf(hit) {
    if (!hit) return "";
    if (hit.kind === "marker") {
      const m = (model.markers || []).find((k) => k.code === hit.code);
      return m ? (m.label || m.code) : hit.code;
    }
    const e = v.entries.get(String(hit.id));
    return e ? (e.name || e.acronym) : "";
  }

  // The name shown by a long press, beside the finger (above it, where the finger does not hide it).
  const nameTag = el_("div", "radix-pressname");
  nameTag.setAttribute("role", "status");
  nameTag.hidden = true;
  root.appendChild(nameTag);
  let hideTimer = null;
  v.showName = function showName(text, clientX, clientY) {
    const rect = root.getBoundingClientRect();
    nameTag.textContent = text;
    nameTag.hidden = false;
    const x = Math.min(Math.max(clientX - rect.left, 8), rect.width - 8);
    nameTag.style.left = `${x}px`;
    nameTag.style.top = `${Math.max(clientY - rect.top - 56, 8)}px`;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { nameTag.hidden = true; }, NAME_SHOWN_MS);
  };

  // Long press: one finger held still. ``v.touchGesture`` tells picking.js whether the gesture
  // that just ended was a long press or used several fingers (neither is a tap).
  const pointers = new Map();   // pointerId -> {x, y}
  let pressTimer = null;
  v.touchGesture = { longPress: false, multi: false };
  canvas.addEventListener("pointerdown", (ev) => {
    if (pointers.size === 0) v.touchGesture = { longPress: false, multi: false };
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    nameTag.hidden = true;
    clearTimeout(pressTimer);
    if (pointers.size > 1) { v.touchGesture.multi = true; return; }
    if (ev.pointerType === "mouse") return;
    pressTimer = setTimeout(() => {
      if (!v.loaded || pointers.size !== 1) return;
      const hit = v.hitNear(ev.clientX, ev.clientY);
      v.touchGesture.longPress = true;
      const name = nameOf(hit);
      if (name) v.showName(name, ev.clientX, ev.clientY);
    }, LONG_PRESS_MS);
  });
  canvas.addEventListener("pointermove", (ev) => {
    const start = pointers.get(ev.pointerId);
    if (start && Math.hypot(ev.clientX - start.x, ev.clientY - start.y) > TAP_SLOP_PX) clearTimeout(pressTimer);
  });
  const up = (ev) => {
    pointers.delete(ev.pointerId);
    clearTimeout(pressTimer);
  };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
}
