// Test and benchmark hooks: ``window.radixView``, installed only when the server opts in
// (``BodyView.test_hooks``, set by the test harness through RADIX_TEST_HOOKS=1). They read the
// view and time clicks through the view's events; nothing here runs in the frame path otherwise.
import * as THREE from "three";

export function installTestHooks(v) {
  const { model, root, canvas, renderer, camera, controls, entries, byAcronym, markerGroup, pathGroup } = v;
  const hook = Object.assign(v.metrics, {
    lastPickAt: null,
    lastHighlightAppliedAt: null,
    lastHighlightPresentedAt: null,
    lastPreviewPresentedAt: null,  // the next animation frame after the first frame drawn after a click
    lastPreviewDrawnAt: null,      // when that frame was handed to WebGL (the click's own task)
    lastPickSentAt: null,          // when the pick went to the server (picking.js: after that frame)
    appliedLatencies: [],     // click -> new highlight applied to the scene's materials (ms)
    latencies: [],            // click -> the frame with the highlight drawn (ms), one per acknowledged pick
    roundTrips: [],           // click -> the answering styles message arrived (ms): Python round trip
    renderTimes: [],          // styles message -> the frame with the highlight drawn (ms)
    presentedLatencies: [],   // click -> the next animation frame after the highlight (ms)
    lastStyleSeq: null,
    lastPicked: null,
  });

  // Click -> highlight timing, from the view's events.
  const pickTimes = new Map();  // pick seq -> performance.now() at the click
  let highlightDue = null;      // {t0: click, received: styles message}, waiting for its frame
  let previewDue = false;       // a click's own recolour (styles.js previewPick), waiting for its frame
  v.on("pick", (seq, target) => {
    pickTimes.set(seq, performance.now());
    previewDue = true;
    hook.lastPickAt = performance.now();
    hook.lastPicked = target;
  });
  v.on("sent", () => { hook.lastPickSentAt = performance.now(); });
  v.on("styles", (seq, received, applied) => {
    hook.lastHighlightAppliedAt = applied;
    hook.lastStyleSeq = seq;
    if (seq != null && pickTimes.has(seq)) {
      const t0 = pickTimes.get(seq);
      pickTimes.delete(seq);
      hook.appliedLatencies.push(applied - t0);
      hook.roundTrips.push(received - t0);
      highlightDue = { t0, received };
    }
  });
  v.on("frame", (now) => {
    if (previewDue) {
      previewDue = false;
      hook.lastPreviewDrawnAt = now;
      requestAnimationFrame(() => { hook.lastPreviewPresentedAt = performance.now(); });
    }
    if (!highlightDue) return;
    const { t0, received } = highlightDue;
    highlightDue = null;
    hook.latencies.push(now - t0);
    hook.renderTimes.push(now - received);
    requestAnimationFrame(() => {
      const shown = performance.now();
      hook.lastHighlightPresentedAt = shown;
      hook.presentedLatencies.push(shown - t0);
    });
  });

  function resolve(key) {
    return entries.get(String(key)) || byAcronym.get(String(key)) || null;
  }
  function toClient(p3) {
    const rect = canvas.getBoundingClientRect();
    const p = p3.clone().project(camera);
    return { x: rect.left + ((p.x + 1) / 2) * rect.width, y: rect.top + ((1 - p.y) / 2) * rect.height, z: p.z };
  }
  // A page point where a click lands on this structure: the projected centre if a ray there hits
  // it first, else the first projected vertex that does.
  hook.screenPoint = (key) => {
    const e = resolve(key);
    if (!e) return null;
    const rect = canvas.getBoundingClientRect();
    const inside = (q) => q.x > rect.left + 2 && q.x < rect.right - 2 && q.y > rect.top + 2 && q.y < rect.bottom - 2 && q.z < 1;
    const tries = [e.box.getCenter(new THREE.Vector3())];
    for (const mesh of e.meshes) {
      const pos = mesh.geometry.attributes.position;
      const step = Math.max(1, Math.floor(pos.count / 200));
      for (let i = 0; i < pos.count; i += step) {
        tries.push(new THREE.Vector3().fromBufferAttribute(pos, i).applyMatrix4(mesh.matrixWorld));
      }
    }
    for (const p of tries) {
      const q = toClient(p);
      if (!inside(q)) continue;
      const hit = v.hitAt(q.x, q.y);
      if (hit && hit.kind === "structure" && String(hit.id) === String(e.id)) return { x: q.x, y: q.y, hit: true };
    }
    const q = toClient(tries[0]);
    return { x: q.x, y: q.y, hit: false };
  };
  hook.pick = (key) => {            // the same path as a click, without the pointer
    const e = resolve(key);
    if (!e) throw new Error(`radixView.pick: no structure ${key}`);
    return v.sendPick({ kind: "structure", id: e.id, acronym: e.acronym });
  };
  hook.setView = v.setView;
  hook.cameraDirection = () => {
    const d = camera.position.clone().sub(controls.target).normalize();
    return [d.x, d.y, d.z];
  };
  hook.cameraDistance = () => camera.position.distanceTo(controls.target);
  // What a mouse click (no tolerance) and a finger's tap (touch.js) would pick at a page point.
  hook.hitAt = (x, y) => v.hitAt(x, y);
  hook.hitNear = (x, y) => v.hitNear(x, y);
  hook.cameraPose = () => ({   // for a page that must show the body as this view does (bench/limit)
    position: camera.position.toArray(), target: controls.target.toArray(), up: camera.up.toArray(),
    fov: camera.fov, near: camera.near, far: camera.far,
    width: Math.round(canvas.getBoundingClientRect().width), height: Math.round(canvas.getBoundingClientRect().height),
  });
  hook.focus = v.focusSelection;
  hook.style = (key) => {
    const e = resolve(key);
    if (!e) return null;
    const m = e.materials[0];
    return { visible: e.group.visible, opacity: m.opacity, color: "#" + m.color.getHexString(), transparent: m.transparent,
             depthWrite: m.depthWrite, frontOnly: m.side === THREE.FrontSide };
  };
  // Page rectangle of a structure's (unmoved) bounding box: the region a pixel test compares.
  hook.screenRect = (key) => {
    const e = resolve(key);
    if (!e) return null;
    const b = e.box;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const x of [b.min.x, b.max.x]) for (const y of [b.min.y, b.max.y]) for (const z of [b.min.z, b.max.z]) {
      const q = toClient(new THREE.Vector3(x, y, z));
      x0 = Math.min(x0, q.x); y0 = Math.min(y0, q.y); x1 = Math.max(x1, q.x); y1 = Math.max(y1, q.y);
    }
    return { x0, y0, x1, y1 };
  };
  // The story as drawn: narrowing, stage, the disc's scale along the spine, tints and scales.
  hook.story = () => {
    const story = v.story;
    const t = story.targets;
    const axisScale = (e, axis) =>      // length of the axis after the entry's transform
      axis.clone().applyMatrix3(new THREE.Matrix3().setFromMatrix4(e.group.matrix)).dot(axis);
    const looks = (list) => list.map((e) => ({
      acronym: e.acronym, color: "#" + e.materials[0].color.getHexString(),
      emissive: "#" + e.materials[0].emissive.getHexString(), opacity: e.materials[0].opacity,
    }));
    return {
      active: !!story.msg, key: story.key, amount: story.amount, opening: story.opening,
      playing: !!story.play, stage: story.stage, stagesSeen: [...story.stagesSeen],
      caption: v.storyCaption(),
      discScale: t && t.disc ? axisScale(t.disc, t.axis) : null,
      lowestDiscScale: story.lowestDiscScale,   // since the last play started
      drop: story.drop,
      roots: t ? looks(t.roots.map((r) => r.e)).map((l, i) => ({ ...l, pinch: t.roots[i].e.pinch || 0 })) : [],
      muscles: t ? looks(t.muscles).map((l, i) => {
        const e = t.muscles[i];
        const g = story.cache.get(`muscle:${e.id}:${story.key}`);
        return { ...l, scale: g ? axisScale(e, g.axis) : 1 };
      }) : [],
      moved: [...story.touched].map((e) => e.acronym),
    };
  };
  // The page point where a world position (mm) is drawn now, and whether the skin is what a click
  // there lands on first (the mark path), with that hit.
  hook.screenOf = (xyz) => {
    const q = toClient(new THREE.Vector3(...xyz));
    return { x: q.x, y: q.y, skin: v.skinHitAt(q.x, q.y) };
  };
  hook.dermatomes = () => ({ ...v.dermatomesDrawn });
  hook.techniques = () => v.techniquesDrawn();   // the technique zones drawn (view/techniques.js)
  // The x (mm) of every skin vertex drawn in a dermatome's colour.
  hook.dermatomeVertices = () => {
    const sd = model.skin_dermatomes || {};
    const e = v.entries.get(String(sd.id));
    const g = e && e.meshes[0].geometry;
    if (!g || !g.attributes.color || !e.dermatomes) return [];
    const skin = new THREE.Color(v.colours.dermatome_skin || v.colours.base);
    const out = [];
    for (let i = 0; i < g.attributes.position.count; i++) {
      const c = g.attributes.color;
      if (Math.abs(c.getX(i) - skin.r) + Math.abs(c.getY(i) - skin.g) + Math.abs(c.getZ(i) - skin.b) > 1e-3) out.push(g.attributes.position.getX(i));
    }
    return out;
  };
  // Draw a given list of dermatomes ([{root, sides, color}]) in this page only, optionally at another
  // opacity (the gallery's map).
  hook.showDermatomes = (specs, opacity = null) => { v.drawDermatomes(specs, opacity); v.requestRender(); return { ...v.dermatomesDrawn }; };
  hook.markerCodes = () => markerGroup.children.map((m) => m.userData.marker);
  // A page point where a click lands on the marker of ``code`` (null if none is reachable).
  hook.markerPoint = (code) => {
    for (const m of markerGroup.children) {
      if (m.userData.marker !== code) continue;
      const q = toClient(m.position);
      const hit = v.hitAt(q.x, q.y);
      if (hit && hit.kind === "marker" && hit.code === code) return { x: q.x, y: q.y, hit: true };
    }
    return null;
  };
  hook.pickMarker = (code) => v.sendPick({ kind: "marker", code });
  hook.overlay = () => ({
    points: { visible: markerGroup.visible, count: markerGroup.children.length,
              opacity: markerGroup.children.length ? markerGroup.children[0].material.opacity : null },
    meridians: { visible: pathGroup.visible, count: pathGroup.children.length,
                 opacity: pathGroup.children.length ? pathGroup.children[0].material.opacity : null },
  });
  const shownLabels = () => [...root.querySelectorAll(".radix-label")]
    .filter((n) => n.style.display !== "none" && getComputedStyle(n).display !== "none");
  hook.labels = () => shownLabels().map((n) => n.textContent);
  hook.visibleLabels = () => shownLabels()
    .filter((n) => getComputedStyle(n).visibility !== "hidden")
    .map((n) => { const r = n.getBoundingClientRect();
      return { text: n.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });
  hook.selectedMarkers = () => markerGroup.children.filter((m) => m.userData.selected).map((m) => m.userData.marker);
  hook.finish = () => {   // wait until the GPU (or the software rasteriser) has drawn all it was given
    const gl = renderer.getContext();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    return performance.now();
  };
  hook.frameTime = (n = 20) => {  // mean ms of one full frame, waiting for the GPU each time
    const gl = renderer.getContext();
    const px = new Uint8Array(4);
    v.draw();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      v.draw();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    }
    return (performance.now() - t0) / n;
  };
  hook.stats = () => {
    let triangles = 0;
    let frontOnly = 0;
    for (const e of entries.values()) for (const m of e.meshes) {
      if (m.material.side === THREE.FrontSide) frontOnly += 1;
      const g = m.geometry;
      triangles += (g.index ? g.index.count : g.attributes.position.count) / 3;
    }
    return { structures: entries.size, triangles, frontOnly, calls: renderer.info.render.calls,
             antialias: !!renderer.getContext().getContextAttributes().antialias };
  };
  window.radixView = hook;
  model.on("remove", () => { if (window.radixView === hook) delete window.radixView; });
}
