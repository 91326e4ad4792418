// Picking: a click (not a drag) on the canvas raycasts the markers, then the visible structures,
// and writes ``model.picked``. A tap is a click with a finger's tolerance (touch.js: ``hitNear``);
// a long press or a gesture with two fingers picks nothing.
import * as THREE from "three";
import { TAP_SLOP_PX } from "./touch.js";

const CLICK_SLOP_PX = 6;       // a pointer that moves further than this is a drag, not a click
const CLICK_MAX_MS = 600;
const MIN_PICK_OPACITY = 0.04; // invisible-in-practice structures are not pickable
const SEND_FALLBACK_MS = 100;

// ``fn`` once, in a task after the next animation frame (or after SEND_FALLBACK_MS without one).
function afterFrame(fn) {
  let done = false;
  const run = () => { if (!done) { done = true; fn(); } };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, SEND_FALLBACK_MS);
}

export function installPicking(v) {
  const { model, canvas, camera, entries, markerGroup } = v;
  const raycaster = new THREE.Raycaster();
  let pickSeq = 0;

  function ndcAt(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    return new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
  }
  v.hitAt = function hitAt(clientX, clientY) {
    raycaster.setFromCamera(ndcAt(clientX, clientY), camera);
    const markerHits = raycaster.intersectObjects(markerGroup.children, false);
    if (markerHits.length) return { kind: "marker", code: markerHits[0].object.userData.marker };
    const candidates = [];
    for (const e of entries.values()) {
      if (!e.group.visible || e.opacity < MIN_PICK_OPACITY) continue;
      candidates.push(...e.meshes);
    }
    const hits = raycaster.intersectObjects(candidates, false);
    // The skin wraps everything: pick what lies under it unless only the skin was hit.
    const hit = hits.find((h) => h.object.userData.kind !== "skin") || hits[0];
    if (!hit) return null;
    const e = entries.get(hit.object.userData.sid);
    return { kind: "structure", id: e.id, acronym: e.acronym };
  };
  // "Where does it hurt?": while the server asks for marks (``model.mark_kind``), a click lands on
  // the skin (shown or not; the nearest skin surface under the pointer) and reports its position.
  v.skinHitAt = function skinHitAt(clientX, clientY) {
    raycaster.setFromCamera(ndcAt(clientX, clientY), camera);
    const skins = [];
    for (const e of entries.values()) if (e.kind === "skin") skins.push(...e.meshes);
    const hit = raycaster.intersectObjects(skins, false)[0];
    if (!hit) return null;
    return { kind: "skin", position: [hit.point.x, hit.point.y, hit.point.z].map((c) => Math.round(c * 10) / 10) };
  };
  // The click's own frame first: the clicked structure is recoloured and drawn in this task
  // (styles.js previewPick); the message to the server (Bokeh's serialising and sending, and then
  // the answer's patches) waits until that frame has started (the next animation frame, then a
  // task after it), so none of Panel's work lands between the click and its frame. Without
  // animation frames (a hidden page) it goes after SEND_FALLBACK_MS.
  v.sendPick = function sendPick(target) {
    pickSeq += 1;
    const seq = `${Date.now().toString(36)}-${pickSeq}`;
    v.emit("pick", seq, target);
    if (target.kind === "structure") v.previewPick(target.id);
    afterFrame(() => { v.emit("sent", seq); model.picked = { ...target, seq }; });
    return seq;
  };
  let down = null;
  canvas.addEventListener("pointerdown", (ev) => {
    down = { x: ev.clientX, y: ev.clientY, t: performance.now(), button: ev.button };
  });
  canvas.addEventListener("pointerup", (ev) => {
    if (!down || !v.loaded) return;
    const moved = Math.hypot(ev.clientX - down.x, ev.clientY - down.y);
    const quick = performance.now() - down.t < CLICK_MAX_MS;
    const primary = down.button === 0;
    const finger = ev.pointerType === "touch" || ev.pointerType === "pen";
    const gesture = v.touchGesture || {};
    down = null;
    if (moved > (finger ? TAP_SLOP_PX : CLICK_SLOP_PX) || !quick || !primary) return;
    if (gesture.longPress || gesture.multi) return;
    let target;
    if (model.mark_kind) target = v.skinHitAt(ev.clientX, ev.clientY);
    else target = finger ? v.hitNear(ev.clientX, ev.clientY) : v.hitAt(ev.clientX, ev.clientY);
    if (target) v.sendPick(target);
  });
}
