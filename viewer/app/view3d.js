// Radix 3D view: a three.js scene inside a Panel JSComponent (see viewer/app/view3d.py).
//
// Meshes load once as static GLB files; after that Python only sends small messages (styles by
// id, markers, paths, camera requests) and the browser sends back what was picked. Atlas axes
// are kept as they are: +X subject's left, +Y posterior, +Z up, millimetres.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { CSS2DRenderer, CSS2DObject } from "three/addons/renderers/CSS2DRenderer.js";

// Direction from the target to the eye for each camera preset (atlas axes).
const VIEWS = {
  posterior: [0, 1, 0],
  anterior: [0, -1, 0],
  left: [1, 0, 0],
  right: [-1, 0, 0],
  oblique: [0.62, 0.72, 0.3],
};
const VIEW_LABELS = [
  ["posterior", "Back"], ["anterior", "Front"], ["left", "Left"], ["right", "Right"],
  ["oblique", "Oblique"],
];
const CLICK_SLOP_PX = 6;       // a pointer that moves further than this is a drag, not a click
const CLICK_MAX_MS = 600;
const MIN_PICK_OPACITY = 0.04; // invisible-in-practice structures are not pickable

function el_(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

export function render({ model, el }) {
  const root = el_("div", "radix-view");
  const status = el_("div", "radix-status", "Loading the body…");
  const toolbar = el_("div", "radix-toolbar");
  el.appendChild(root);

  // --- renderer, camera, controls, lights ---------------------------------------------------
  const renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.setClearColor(0x000000, 0);
  const canvas = renderer.domElement;
  canvas.className = "radix-canvas";
  canvas.dataset.ready = "false";
  canvas.dataset.frames = "0";
  root.appendChild(canvas);

  const labelRenderer = new CSS2DRenderer();
  labelRenderer.domElement.className = "radix-labels";
  root.appendChild(labelRenderer.domElement);
  root.appendChild(toolbar);
  root.appendChild(status);

  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(30, 1, 5, 100000);
  camera.up.set(0, 0, 1);
  camera.position.set(0, 4000, 900);
  scene.add(camera);

  const hemi = new THREE.HemisphereLight(0xffffff, 0x9c8f80, 1.5);
  hemi.position.set(0, 0, 1);
  scene.add(hemi);
  const key = new THREE.DirectionalLight(0xffffff, 1.6);   // follows the camera: always lit
  key.position.set(0.5, 0.8, 1.0);
  camera.add(key);
  key.target.position.set(0, 0, -1);
  camera.add(key.target);
  const rim = new THREE.DirectionalLight(0xdfe8ff, 0.5);
  rim.position.set(-600, -900, 2200);
  scene.add(rim);

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;          // render on demand; no animation loop needed
  controls.screenSpacePanning = true;
  controls.zoomSpeed = 1.2;
  controls.touches = { ONE: THREE.TOUCH.ROTATE, TWO: THREE.TOUCH.DOLLY_PAN };

  const bodyGroup = new THREE.Group();
  const markerGroup = new THREE.Group();
  const pathGroup = new THREE.Group();
  scene.add(bodyGroup, markerGroup, pathGroup);

  // --- state -----------------------------------------------------------------------------------
  const entries = new Map();    // id (string) -> {id, acronym, kind, name, group, meshes, materials, baseColor, opacity}
  const byAcronym = new Map();
  let bodyBox = new THREE.Box3();
  let loaded = false;
  let disposed = false;
  const pickTimes = new Map();  // pick seq -> performance.now() at the click
  let pickSeq = 0;

  const hook = {
    ready: false,
    readyAtEpochMs: null,     // wall clock (ms since 1970) when the first full frame was on screen
    frameCount: 0,
    loaded: 0,
    failed: 0,
    total: 0,
    lastPickAt: null,
    lastHighlightAppliedAt: null,
    lastHighlightPresentedAt: null,
    latencies: [],            // click -> highlight rendered (ms), one per acknowledged pick
    roundTrips: [],           // click -> the answering styles message arrived (ms): Python round trip
    renderTimes: [],          // styles message -> restyled frame rendered (ms)
    presentedLatencies: [],   // click -> the next animation frame after the highlight (ms)
    stylesApplied: 0,
    lastStyleSeq: null,
    lastPicked: null,
  };
  window.radixView = hook;

  // --- rendering ------------------------------------------------------------------------------
  let pending = false;
  function draw() {
    renderer.render(scene, camera);
    labelRenderer.render(scene, camera);
    hook.frameCount += 1;
    canvas.dataset.frames = String(hook.frameCount);
  }
  function requestRender() {
    if (pending || disposed) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (!disposed) draw();
    });
  }
  controls.addEventListener("change", requestRender);

  function resize() {
    const w = Math.max(root.clientWidth, 1);
    const h = Math.max(root.clientHeight, 1);
    renderer.setSize(w, h, false);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
    labelRenderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    requestRender();
  }
  const observer = new ResizeObserver(resize);
  observer.observe(root);

  // --- camera ---------------------------------------------------------------------------------
  function frameBox(box, direction) {
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
    requestRender();
  }
  function setView(name) {
    const dir = VIEWS[name] || VIEWS.posterior;
    frameBox(bodyBox, dir);
  }
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
  function focusSelection(viewName) {
    const dir = viewName && VIEWS[viewName] ? VIEWS[viewName] : null;
    const box = highlightedBox();
    if (box.isEmpty()) return frameBox(bodyBox, dir);
    frameBox(box, dir);
  }

  for (const [name, label] of VIEW_LABELS) {
    const button = el_("button", "radix-btn", label);
    button.type = "button";
    button.title = `View from the ${name === "left" || name === "right" ? "subject's " + name : name}`;
    button.dataset.view = name;
    button.addEventListener("click", () => {
      setView(name);
      model.view = name;          // reported so the link can carry the camera preset
    });
    toolbar.appendChild(button);
  }
  const focusButton = el_("button", "radix-btn radix-btn-accent", "Focus");
  focusButton.type = "button";
  focusButton.title = "Frame the highlighted structures";
  focusButton.dataset.view = "focus";
  focusButton.addEventListener("click", () => focusSelection(null));
  toolbar.appendChild(focusButton);

  function applyCameraRequest() {
    const req = model.camera_request || {};
    if (!loaded || !req.seq) return;
    if (req.focus) focusSelection(req.view);
    else if (req.view) setView(req.view);
  }

  // --- styles ---------------------------------------------------------------------------------
  function setLabel(e, text) {
    if (!text) {
      if (e.label) { scene.remove(e.label); e.label.element.remove(); e.label = null; }
      return;
    }
    if (!e.label) {
      const tag = el_("div", "radix-label radix-label-structure", text);
      e.label = new CSS2DObject(tag);
      const c = e.box.getCenter(new THREE.Vector3());
      // Midline bones and discs: label at their right-hand edge, clear of midline point markers.
      if (Math.abs(c.x) < 5 && (e.kind === "bone" || e.kind === "disc")) c.x = e.box.min.x;
      e.label.position.copy(c);
      scene.add(e.label);
    }
    if (e.label.element.textContent !== text) e.label.element.textContent = text;
  }
  function applyOverlay(group, layer) {
    const visible = layer.visible ?? true;
    const opacity = Math.max(0, Math.min(1, layer.opacity ?? 1));
    group.visible = visible && opacity > 0.001;
    group.traverse((o) => {
      if (o.isCSS2DObject) o.visible = group.visible;
      if (!o.material) return;
      o.material.opacity = opacity * (o.userData.baseOpacity ?? 1);
      const transparent = o.material.opacity < 0.999;
      if (o.material.transparent !== transparent) { o.material.transparent = transparent; o.material.needsUpdate = true; }
    });
  }
  function applyStyles() {
    const st = model.structure_styles || {};
    const kinds = st.kinds || {};
    const ids = st.ids || {};
    root.classList.toggle("radix-nolabels", st.labels === false);
    applyOverlay(markerGroup, kinds.points || {});
    applyOverlay(pathGroup, kinds.meridians || {});
    for (const [id, e] of entries) {
      const k = kinds[e.kind] || {};
      const o = ids[id] || {};
      const visible = o.visible ?? k.visible ?? true;
      const opacity = Math.max(0, Math.min(1, o.opacity ?? k.opacity ?? 1));
      const color = o.color ?? k.color ?? e.baseColor;
      const emissive = o.emissive ?? "#000000";
      const transparent = opacity < 0.999;
      e.opacity = opacity;
      e.group.visible = visible && opacity > 0.001;
      e.group.renderOrder = transparent ? 2 : 0;
      for (const m of e.materials) {
        m.color.set(color);
        m.emissive.set(emissive);
        m.opacity = opacity;
        if (m.transparent !== transparent) {
          m.transparent = transparent;
          m.needsUpdate = true;
        }
        m.depthWrite = !transparent;
      }
      setLabel(e, e.group.visible ? o.label : null);
    }
    hook.stylesApplied += 1;
  }
  function onStyles() {
    if (!loaded) return;
    const received = performance.now();
    applyStyles();
    draw();
    const seq = (model.structure_styles || {}).seq;
    const now = performance.now();
    hook.lastHighlightAppliedAt = now;
    hook.lastStyleSeq = seq ?? null;
    if (seq != null && pickTimes.has(seq)) {
      const t0 = pickTimes.get(seq);
      pickTimes.delete(seq);
      hook.latencies.push(now - t0);
      hook.roundTrips.push(received - t0);
      hook.renderTimes.push(now - received);
      requestAnimationFrame(() => {
        const shown = performance.now();
        hook.lastHighlightPresentedAt = shown;
        hook.presentedLatencies.push(shown - t0);
      });
    }
  }

  // --- markers (acupuncture points) and paths (meridians) ---------------------------------------
  function clearGroup(group) {
    for (const child of [...group.children]) {
      group.remove(child);
      child.traverse((o) => {
        if (o.geometry) o.geometry.dispose();
        if (o.material) o.material.dispose();
        if (o.isCSS2DObject && o.element.parentNode) o.element.parentNode.removeChild(o.element);
      });
    }
  }
  function buildMarkers() {
    clearGroup(markerGroup);
    const sphere = new THREE.SphereGeometry(1, 20, 14);
    for (const mk of model.markers || []) {
      if (!mk || !mk.position) continue;
      const radius = mk.radius || 7;
      const material = new THREE.MeshStandardMaterial({
        color: mk.color || "#1f6feb", emissive: mk.color || "#1f6feb",
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
  }
  function buildPaths() {
    clearGroup(pathGroup);
    for (const p of model.paths || []) {
      if (!p || !p.points || p.points.length < 2) continue;
      const pts = p.points.map((q) => new THREE.Vector3(...q));
      const curve = new THREE.CatmullRomCurve3(pts, false, "centripetal");
      const tube = new THREE.TubeGeometry(curve, Math.min(pts.length * 8, 600), p.width || 2.2, 6, false);
      const material = new THREE.MeshStandardMaterial({
        color: p.color || "#7a4fd6", emissive: p.color || "#7a4fd6", emissiveIntensity: 0.25,
        roughness: 0.5, transparent: (p.opacity ?? 1) < 1, opacity: p.opacity ?? 1,
      });
      const mesh = new THREE.Mesh(tube, material);
      mesh.userData = { path: p.id };
      pathGroup.add(mesh);
    }
  }

  // --- picking --------------------------------------------------------------------------------
  const raycaster = new THREE.Raycaster();
  function ndcAt(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    return new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
  }
  function hitAt(clientX, clientY) {
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
  }
  function sendPick(target) {
    pickSeq += 1;
    const seq = `${Date.now().toString(36)}-${pickSeq}`;
    pickTimes.set(seq, performance.now());
    hook.lastPickAt = performance.now();
    hook.lastPicked = target;
    model.picked = { ...target, seq };
    return seq;
  }
  let down = null;
  canvas.addEventListener("pointerdown", (ev) => {
    down = { x: ev.clientX, y: ev.clientY, t: performance.now(), button: ev.button };
  });
  canvas.addEventListener("pointerup", (ev) => {
    if (!down || !loaded) return;
    const moved = Math.hypot(ev.clientX - down.x, ev.clientY - down.y);
    const quick = performance.now() - down.t < CLICK_MAX_MS;
    const primary = down.button === 0;
    down = null;
    if (moved > CLICK_SLOP_PX || !quick || !primary) return;
    const target = hitAt(ev.clientX, ev.clientY);
    if (target) sendPick(target);
  });

  // --- test and benchmark hooks ------------------------------------------------------------
  function resolve(key) {
    return entries.get(String(key)) || byAcronym.get(String(key)) || null;
  }
  function toClient(v) {
    const rect = canvas.getBoundingClientRect();
    const p = v.clone().project(camera);
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
    for (const v of tries) {
      const q = toClient(v);
      if (!inside(q)) continue;
      const hit = hitAt(q.x, q.y);
      if (hit && hit.kind === "structure" && String(hit.id) === String(e.id)) return { x: q.x, y: q.y, hit: true };
    }
    const q = toClient(tries[0]);
    return { x: q.x, y: q.y, hit: false };
  };
  hook.pick = (key) => {            // the same path as a click, without the pointer
    const e = resolve(key);
    if (!e) throw new Error(`radixView.pick: no structure ${key}`);
    return sendPick({ kind: "structure", id: e.id, acronym: e.acronym });
  };
  hook.setView = setView;
  hook.cameraDirection = () => {
    const d = camera.position.clone().sub(controls.target).normalize();
    return [d.x, d.y, d.z];
  };
  hook.focus = focusSelection;
  hook.style = (key) => {
    const e = resolve(key);
    if (!e) return null;
    const m = e.materials[0];
    return { visible: e.group.visible, opacity: m.opacity, color: "#" + m.color.getHexString(), transparent: m.transparent };
  };
  hook.markerCodes = () => markerGroup.children.map((m) => m.userData.marker);
  // A page point where a click lands on the marker of ``code`` (null if none is reachable).
  hook.markerPoint = (code) => {
    for (const m of markerGroup.children) {
      if (m.userData.marker !== code) continue;
      const q = toClient(m.position);
      const hit = hitAt(q.x, q.y);
      if (hit && hit.kind === "marker" && hit.code === code) return { x: q.x, y: q.y, hit: true };
    }
    return null;
  };
  hook.pickMarker = (code) => sendPick({ kind: "marker", code });
  hook.overlay = () => ({
    points: { visible: markerGroup.visible, count: markerGroup.children.length,
              opacity: markerGroup.children.length ? markerGroup.children[0].material.opacity : null },
    meridians: { visible: pathGroup.visible, count: pathGroup.children.length,
                 opacity: pathGroup.children.length ? pathGroup.children[0].material.opacity : null },
  });
  hook.labels = () => [...root.querySelectorAll(".radix-label")]
    .filter((n) => n.style.display !== "none" && getComputedStyle(n).display !== "none")
    .map((n) => n.textContent);
  hook.selectedMarkers = () => markerGroup.children.filter((m) => m.userData.selected).map((m) => m.userData.marker);
  hook.frameTime = (n = 20) => {  // mean ms of one full frame, waiting for the GPU each time
    const gl = renderer.getContext();
    const px = new Uint8Array(4);
    draw();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      draw();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    }
    return (performance.now() - t0) / n;
  };
  hook.stats = () => {
    let triangles = 0;
    for (const e of entries.values()) for (const m of e.meshes) {
      const g = m.geometry;
      triangles += (g.index ? g.index.count : g.attributes.position.count) / 3;
    }
    return { structures: entries.size, triangles, calls: renderer.info.render.calls };
  };

  // --- loading --------------------------------------------------------------------------------
  const loader = new GLTFLoader();
  function loadOne(s) {
    return new Promise((resolveLoad) => {
      loader.load(
        s.url,
        (gltf) => resolveLoad({ s, gltf }),
        undefined,
        (err) => resolveLoad({ s, error: err }),
      );
    });
  }
  function addStructure(s, gltf) {
    const group = new THREE.Group();
    const id = String(s.id);
    const baseColor = s.color || "#d8cfc0";
    const meshes = [];
    const materials = [];
    gltf.scene.updateMatrixWorld(true);
    gltf.scene.traverse((o) => {
      if (!o.isMesh) return;
      const geometry = o.geometry.clone();
      geometry.applyMatrix4(o.matrixWorld);     // bake node transforms: one mesh, atlas coordinates
      if (!geometry.attributes.normal) geometry.computeVertexNormals();
      geometry.computeBoundingBox();
      geometry.computeBoundingSphere();
      const material = new THREE.MeshStandardMaterial({
        color: baseColor, roughness: 0.62, metalness: 0.0, flatShading: false,
        side: s.kind === "skin" ? THREE.FrontSide : THREE.DoubleSide,
      });
      const mesh = new THREE.Mesh(geometry, material);
      mesh.userData = { sid: id, kind: s.kind };
      group.add(mesh);
      meshes.push(mesh);
      materials.push(material);
      o.geometry.dispose();
    });
    group.userData = { sid: id };
    bodyGroup.add(group);
    group.updateMatrixWorld(true);
    const box = new THREE.Box3().setFromObject(group);
    const entry = { id: s.id, acronym: s.acronym, kind: s.kind, name: s.name, group, meshes, materials, baseColor, opacity: 1, box };
    entries.set(id, entry);
    byAcronym.set(s.acronym, entry);
  }
  async function loadAll() {
    const list = model.structures || [];
    hook.total = list.length;
    status.textContent = list.length ? `Loading ${list.length} structures…` : "No structures to show.";
    const results = await Promise.all(list.map(loadOne));
    if (disposed) return;
    const failures = [];
    for (const r of results) {
      if (r.error) { failures.push(r.s.acronym); continue; }
      addStructure(r.s, r.gltf);
    }
    hook.loaded = entries.size;
    hook.failed = failures.length;
    bodyBox = new THREE.Box3();
    for (const e of entries.values()) if (e.kind !== "skin" || entries.size === 1) bodyBox.union(e.box);
    if (bodyBox.isEmpty()) for (const e of entries.values()) bodyBox.union(e.box);
    loaded = true;
    buildMarkers();
    buildPaths();
    applyStyles();
    resize();
    const req = model.camera_request || {};
    if (req.focus && req.seq) focusSelection(req.view);
    else setView(req.view || "posterior");
    if (failures.length) {
      console.warn(`Radix: ${failures.length} mesh(es) failed to load: ${failures.slice(0, 8).join(", ")}`);
      status.textContent = `${failures.length} of ${list.length} meshes could not be loaded.`;
      status.classList.add("radix-status-warn");
    } else {
      status.remove();
    }
    draw();
    requestAnimationFrame(() => {
      hook.readyAtEpochMs = performance.timeOrigin + performance.now();
      hook.ready = true;
      canvas.dataset.ready = "true";
      model.ready = true;
    });
  }

  model.on("structure_styles", onStyles);
  function overlayStyles() {
    const kinds = (model.structure_styles || {}).kinds || {};
    applyOverlay(markerGroup, kinds.points || {});
    applyOverlay(pathGroup, kinds.meridians || {});
  }
  model.on("markers", () => { if (loaded) { buildMarkers(); overlayStyles(); requestRender(); } });
  model.on("paths", () => { if (loaded) { buildPaths(); overlayStyles(); requestRender(); } });
  model.on("camera_request", applyCameraRequest);
  model.on("remove", () => {
    disposed = true;
    observer.disconnect();
    controls.dispose();
    clearGroup(markerGroup);
    clearGroup(pathGroup);
    for (const e of entries.values()) for (const m of e.meshes) { m.geometry.dispose(); m.material.dispose(); }
    renderer.dispose();
    if (window.radixView === hook) delete window.radixView;
  });

  resize();
  loadAll();
}
