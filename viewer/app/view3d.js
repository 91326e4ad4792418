// Radix 3D view: a three.js scene inside a Panel JSComponent (see viewer/app/view3d.py).
//
// Meshes load once as static GLB files; after that Python only sends small messages (styles by
// id, markers, paths, camera requests) and the browser sends back what was picked. Atlas axes
// are kept as they are: +X subject's left, +Y posterior, +Z up, millimetres.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { CSS2DRenderer, CSS2DObject } from "three/addons/renderers/CSS2DRenderer.js";

const CLICK_SLOP_PX = 6;       // a pointer that moves further than this is a drag, not a click
const CLICK_MAX_MS = 600;
const MIN_PICK_OPACITY = 0.04; // invisible-in-practice structures are not pickable

function el_(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text != null) node.textContent = text;
  return node;
}

// Which rasteriser WebGL runs on: {name, software}. Software ones (SwiftShader, llvmpipe) are
// what a machine without a GPU, or with GPU access blocked, falls back to.
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;
function graphicsRenderer() {
  let name = "";
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (gl) {
      const info = gl.getExtension("WEBGL_debug_renderer_info");
      name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || "");
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    }
  } catch (err) {
    name = "";
  }
  return { name, software: SOFTWARE_RENDERERS.test(name) };
}

export function render({ model, el }) {
  const renderStart = performance.now();
  // Camera presets and default colours come from Python (viewer/scene/style.py BROWSER_PRESETS).
  const presets = model.presets || {};
  const CAMERAS = presets.cameras || {};
  const DEFAULT_VIEW = presets.default_view || Object.keys(CAMERAS)[0];
  const COLOURS = presets.colours || {};
  const directionOf = (name) => (CAMERAS[name] ? CAMERAS[name].direction : null);
  const root = el_("div", "radix-view");
  const status = el_("div", "radix-status", "Loading the body…");
  const toolbar = el_("div", "radix-toolbar");
  el.appendChild(root);

  // --- renderer, camera, controls, lights ---------------------------------------------------
  const gpu = graphicsRenderer();
  // Multisampling multiplies the cost of every pixel; on a software rasteriser (no GPU) it
  // makes a whole-body frame about three times slower, so it is left off there.
  const renderer = new THREE.WebGLRenderer({ antialias: !gpu.software, alpha: true });
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
    appliedLatencies: [],     // click -> new highlight applied to the scene's materials (ms)
    latencies: [],            // click -> the frame with the highlight drawn (ms), one per acknowledged pick
    roundTrips: [],           // click -> the answering styles message arrived (ms): Python round trip
    renderTimes: [],          // styles message -> the frame with the highlight drawn (ms)
    presentedLatencies: [],   // click -> the next animation frame after the highlight (ms)
    stylesApplied: 0,
    lastStyleSeq: null,
    lastPicked: null,
    renderer: gpu.name,       // the WebGL renderer string, and whether it is a software one
    software: gpu.software,
    antialias: !gpu.software,
    marks: { renderStart },   // page-load milestones (ms since navigation): see loadAll()
  };
  window.radixView = hook;

  // --- rendering ------------------------------------------------------------------------------
  let pending = false;
  // Labels that would overlap a more important one are hidden (not removed: they come back when
  // the camera turns): the selection first, then structure names, then points, in order.
  function labelRank(n) {
    if (n.classList.contains("radix-label-selected")) return 0;
    return n.classList.contains("radix-label-structure") ? 1 : 2;
  }
  function declutterLabels() {
    const shown = [...labelRenderer.domElement.querySelectorAll(".radix-label")]
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
  function draw() {
    renderer.render(scene, camera);
    labelRenderer.render(scene, camera);
    declutterLabels();
    hook.frameCount += 1;
    canvas.dataset.frames = String(hook.frameCount);
  }
  // A pick's highlight waiting for its frame: {t0: click, received: styles message}.
  let highlightDue = null;
  function requestRender() {
    if (pending || disposed) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (disposed) return;
      draw();
      if (highlightDue) {
        const { t0, received } = highlightDue;
        const now = performance.now();
        highlightDue = null;
        hook.latencies.push(now - t0);
        hook.renderTimes.push(now - received);
        requestAnimationFrame(() => {
          const shown = performance.now();
          hook.lastHighlightPresentedAt = shown;
          hook.presentedLatencies.push(shown - t0);
        });
      }
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
    const dir = directionOf(name) || directionOf(DEFAULT_VIEW);
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
    const dir = viewName ? directionOf(viewName) : null;
    const box = highlightedBox();
    if (box.isEmpty()) return frameBox(bodyBox, dir);
    frameBox(box, dir);
  }

  for (const [name, { label }] of Object.entries(CAMERAS)) {
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
      e.styled = { color, emissive, opacity, visible };   // the story blends from this look
      setLook(e, color, emissive, opacity, visible);
      setLabel(e, e.group.visible ? o.label : null);
    }
    hook.stylesApplied += 1;
  }
  function setLook(e, color, emissive, opacity, visible) {
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
  }
  function onStyles() {
    if (!loaded) return;
    const received = performance.now();
    applyStyles();
    storyApply(performance.now());   // the story's tints sit on top of the new styles
    const applied = performance.now();
    // Drawn on the next animation frame together with the markers and paths of the same answer
    // (they arrive in the same message): one whole-body frame per click, not two.
    requestRender();
    const seq = (model.structure_styles || {}).seq;
    hook.lastHighlightAppliedAt = applied;
    hook.lastStyleSeq = seq ?? null;
    if (seq != null && pickTimes.has(seq)) {
      const t0 = pickTimes.get(seq);
      pickTimes.delete(seq);
      hook.appliedLatencies.push(applied - t0);
      hook.roundTrips.push(received - t0);
      highlightDue = { t0, received };
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
        color: mk.color || COLOURS.marker, emissive: mk.color || COLOURS.marker,
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
  // Meridian polylines arrive once per session in ``path_library`` (id -> {points, color, width});
  // a selection sends only the ids to show, and each tube is built once and then reused.
  const pathCache = new Map();
  function disposePathCache() {
    for (const mesh of pathCache.values()) { mesh.geometry.dispose(); mesh.material.dispose(); }
    pathCache.clear();
  }
  function pathMesh(id) {
    if (pathCache.has(id)) return pathCache.get(id);
    const p = (model.path_library || {})[id];
    if (!p || !p.points || p.points.length < 2) return null;
    const pts = p.points.map((q) => new THREE.Vector3(...q));
    const curve = new THREE.CatmullRomCurve3(pts, false, "centripetal");
    const tube = new THREE.TubeGeometry(curve, Math.min(pts.length * 8, 600), p.width || 2.2, 6, false);
    const material = new THREE.MeshStandardMaterial({
      color: p.color || COLOURS.path, emissive: p.color || COLOURS.path, emissiveIntensity: 0.25,
      roughness: 0.5, transparent: (p.opacity ?? 1) < 1, opacity: p.opacity ?? 1,
    });
    const mesh = new THREE.Mesh(tube, material);
    mesh.userData = { path: id };
    pathCache.set(id, mesh);
    return mesh;
  }
  function buildPaths() {
    for (const child of [...pathGroup.children]) pathGroup.remove(child);   // cached, not disposed
    for (const id of model.paths || []) {
      const mesh = pathMesh(id);
      if (mesh) pathGroup.add(mesh);
    }
  }

  // --- the story of a compressed root (viewer/app/story.py sends the ids) --------------------
  // The disc flattens along the spine and bulges a little, the column above rides down by the
  // height lost, the root at the foramen narrows there and glows red, and the muscles it supplies
  // warm up and shorten. Everything is undone exactly when the narrowing returns to 0.
  const STORY_COLOURS = COLOURS.story || {};
  const DISC_HEIGHT_LEFT = 0.45;   // of the disc's height, at full narrowing
  const DISC_BULGE = 0.14;         // radial growth at full narrowing
  const ROOT_SQUEEZE = 0.62;       // of the root's radius lost at the foramen
  const ROOT_PINCH_MM = 7;         // length of root (sigma, mm) the pinch spreads over
  const MUSCLE_SHORTEN = 0.10;     // of a muscle's length...
  const MUSCLE_SHORTEN_MM = 20;    // ...but no more than this (the long back muscles)
  const PULSE_MS = 90;             // frame interval while only the pinch pulses
  // [duration ms, narrowing from, to, opening, forced stage]
  const PLAY_SMOOTH = [[1600, 0, 0, false, "healthy"], [3400, 0, 1, false, null], [2600, 1, 1, false, null],
                       [3000, 1, 0, true, null], [1600, 0, 0, true, "recovery"]];
  const PLAY_STEPS = [[2000, 0, 0, false, "healthy"], [2200, 0.3, 0.3, false, null], [2200, 0.6, 0.6, false, null],
                      [2800, 1, 1, false, null], [2200, 0.4, 0.4, true, null], [1600, 0, 0, true, "recovery"]];
  const motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  const reducedMotion = () => !!(motionQuery && motionQuery.matches);

  const storyBox = el_("div", "radix-story-caption");
  const storyStep = el_("div", "radix-story-step");
  const storyTitle = el_("div", "radix-story-title");
  const storyText = el_("div", "radix-story-text");
  storyBox.append(storyStep, storyTitle, storyText);
  storyBox.setAttribute("role", "status");
  storyBox.setAttribute("aria-live", "polite");
  storyBox.hidden = true;
  root.appendChild(storyBox);

  const story = {
    msg: null, key: null, targets: null, touched: new Set(), cache: new Map(),
    play: null, lastPlay: null, lastFocus: null, timer: 0, raf: 0,
    amount: 0, opening: false, stage: null, stagesSeen: [], discScale: 1, lowestDiscScale: 1, drop: 0,
    overlaysHidden: false,
  };

  function smooth(t) { t = Math.min(Math.max(t, 0), 1); return t * t * (3 - 2 * t); }
  function principalAxis(points, centre) {
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
  function vertexSample(e, limit = 4000) {
    const out = [];
    for (const mesh of e.meshes) {
      const pos = mesh.userData.orig || mesh.geometry.attributes.position.array;
      const step = Math.max(1, Math.floor(pos.length / 3 / limit)) * 3;
      for (let i = 0; i + 2 < pos.length; i += step) out.push(pos[i], pos[i + 1], pos[i + 2]);
    }
    return out;
  }
  function centroid(points) {
    const c = new THREE.Vector3();
    const n = points.length / 3;
    for (let i = 0; i < points.length; i += 3) c.x += points[i], c.y += points[i + 1], c.z += points[i + 2];
    return n ? c.multiplyScalar(1 / n) : c;
  }
  function cached(name, e, make) {
    const k = `${name}:${e.id}:${story.key}`;
    if (!story.cache.has(k)) story.cache.set(k, make());
    return story.cache.get(k);
  }
  // Scale by `axial` along unit `axis` and by `radial` across it, about `pivot`, then move by `shift`.
  function axisMatrix(axis, axial, radial, pivot, shift) {
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
  function setMatrix(e, m) {
    e.group.matrixAutoUpdate = false;
    e.group.matrix.copy(m);
    e.group.matrixWorldNeedsUpdate = true;
  }
  function storyTargets(msg) {
    const get = (id) => (id == null ? null : entries.get(String(id)) || null);
    const t = {
      disc: get(msg.disc), upper: get(msg.upper), lower: get(msg.lower),
      above: (msg.above || []).map(get).filter(Boolean),
      roots: (msg.roots || []).map((r) => ({ e: get(r.id), at: r.at })).filter((r) => r.e),
      muscles: (msg.muscles || []).map(get).filter(Boolean),
    };
    let axis = msg.axis ? new THREE.Vector3(...msg.axis) : null;
    if (!axis && t.upper && t.lower) {
      axis = t.upper.box.getCenter(new THREE.Vector3()).sub(t.lower.box.getCenter(new THREE.Vector3()));
    }
    if (!axis || axis.lengthSq() < 1e-9) axis = new THREE.Vector3(0, 0, 1);
    t.axis = axis.normalize();
    return t;
  }
  function discGeometry(e, axis) {
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
  function muscleGeometry(e) {
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
  function pinchField(e, at, discCentre) {
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
  function restoreEntry(e) {
    if (e.group.matrixAutoUpdate === false) {
      e.group.matrix.identity();
      e.group.matrixAutoUpdate = true;
      e.group.matrixWorldNeedsUpdate = true;
    }
    for (const mesh of e.meshes) {
      if (!mesh.userData.orig || !mesh.userData.pinched) continue;
      mesh.geometry.attributes.position.array.set(mesh.userData.orig);
      mesh.geometry.attributes.position.needsUpdate = true;
      mesh.userData.pinched = false;
    }
    e.pinch = 0;
    const st = e.styled;
    if (st) setLook(e, st.color, st.emissive, st.opacity, st.visible);
  }
  function storyRestore() {
    if (story.overlaysHidden) overlayStyles();   // markers and meridians back as styled
    story.overlaysHidden = false;
    for (const e of story.touched) restoreEntry(e);
    story.touched.clear();
    story.discScale = 1;
    story.drop = 0;
  }
  function mix(from, to, f) { return new THREE.Color(from).lerp(new THREE.Color(to), Math.min(Math.max(f, 0), 1)); }
  function lookOf(e) { return e.styled || { color: e.baseColor, emissive: "#000000", opacity: 1, visible: true }; }

  // Where the story stands at `now`: narrowing, opening, a forced stage, and whether it is over.
  function storyPhase(now) {
    const msg = story.msg || {};
    if (!story.play) return { amount: msg.amount || 0, opening: !!msg.opening, stage: null };
    const plan = story.play.steps;
    let t = now - story.play.start;
    for (const [ms, from, to, opening, stage] of plan) {
      if (t < ms) {
        const f = story.play.smooth ? smooth(t / ms) : 1;
        return { amount: from + (to - from) * f, opening, stage, playing: true };
      }
      t -= ms;
    }
    return { amount: msg.amount || 0, opening: !!msg.opening, stage: null, done: true };
  }
  function stageAt(amount, opening) {   // the rule of story.stage_at
    if (amount <= 0) return null;
    if (opening) return "recovery";
    let told = "healthy";
    for (const c of (story.msg || {}).captions || []) if (c.at != null && amount >= c.at) told = c.stage;
    return told;
  }
  function showCaption(stage) {
    const captions = (story.msg || {}).captions || [];
    const index = captions.findIndex((c) => c.stage === stage);
    story.stage = index >= 0 ? stage : null;
    if (index < 0) { storyBox.hidden = true; return; }
    const c = captions[index];
    if (story.stagesSeen[story.stagesSeen.length - 1] !== stage) story.stagesSeen.push(stage);
    storyStep.textContent = `${index + 1} of ${captions.length}`;
    storyTitle.textContent = c.title;   // text, never HTML
    storyText.textContent = c.text;
    storyBox.hidden = false;
  }
  // Frame the space from the side of the pinched root: a side view shows the disc's height and
  // the foramen behind it.
  function focusStory(t, view) {
    const box = new THREE.Box3();
    for (const e of t.disc ? [t.disc] : [t.upper, t.lower]) if (e) box.union(e.box);
    if (box.isEmpty()) return;
    const size = box.getSize(new THREE.Vector3());
    const right = t.roots.length && /_right$/.test(t.roots[0].e.acronym);
    const dir = view || [right ? -1 : 1, -0.12, 0.14];
    frameBox(box.expandByScalar(Math.max(size.x, size.y, size.z) * 0.4), dir);
  }
  function nearSpace(e, t) {   // muscles around the space stay see-through so the disc shows
    if (!t.disc) return false;
    return cached("near", e, () => e.box.intersectsBox(t.disc.box.clone().expandByScalar(40)));
  }

  // Draw the story at `now`; returns whether another frame is wanted.
  function storyApply(now) {
    if (!loaded || !story.msg || !story.targets) return false;
    const phase = storyPhase(now);
    if (phase.done) story.play = null;
    const a = Math.min(Math.max(phase.amount, 0), 1);
    if (story.play && !phase.stage && !phase.opening) {   // a slow frame may jump a stage: log it
      for (const c of story.msg.captions || []) {
        if (c.at != null && c.at > 0 && c.at > story.amount && c.at < a && c.stage !== stageAt(a, false)) {
          if (story.stagesSeen[story.stagesSeen.length - 1] !== c.stage) story.stagesSeen.push(c.stage);
        }
      }
    }
    story.amount = a;
    story.opening = phase.opening;
    showCaption(phase.stage || stageAt(a, phase.opening));
    if (a <= 0) {
      storyRestore();
      return !!story.play;
    }
    markerGroup.visible = pathGroup.visible = false;   // points and meridians would hide the space
    story.overlaysHidden = true;
    const t = story.targets;
    const colours = { ...STORY_COLOURS, ...(story.msg.colours || {}) };
    const pulse = reducedMotion() ? 0 : 0.5 + 0.5 * Math.sin(now / 230);
    let drop = 0;
    if (t.disc) {
      const g = discGeometry(t.disc, t.axis);
      const axial = 1 - (1 - DISC_HEIGHT_LEFT) * a;
      setMatrix(t.disc, axisMatrix(t.axis, axial, 1 + DISC_BULGE * a, g.bottom));
      drop = g.height * (1 - axial);
      story.discScale = axial;
      story.lowestDiscScale = Math.min(story.lowestDiscScale, axial);
      const st = lookOf(t.disc);
      const f = Math.min(1, a * 3);
      setLook(t.disc, mix(st.color, colours.disc, f), st.emissive, st.opacity + (1 - st.opacity) * f, true);
      story.touched.add(t.disc);
    }
    const shift = t.axis.clone().multiplyScalar(-drop);
    const move = new THREE.Matrix4().makeTranslation(shift.x, shift.y, shift.z);
    for (const e of [t.upper, ...t.above]) {
      if (!e) continue;
      setMatrix(e, move);
      story.touched.add(e);
    }
    story.drop = drop;
    let discCentre = t.disc ? discGeometry(t.disc, t.axis).centre : null;
    if (!discCentre) {   // a body without this disc: between the bones above and below it
      const box = new THREE.Box3();
      for (const e of [t.upper, t.lower]) if (e) box.union(e.box);
      discCentre = box.isEmpty() ? new THREE.Vector3() : box.getCenter(new THREE.Vector3());
    }
    const squeeze = ROOT_SQUEEZE * a * (1 - 0.12 * pulse);
    for (const { e, at } of t.roots) {
      for (const { mesh, field } of pinchField(e, at, discCentre)) {
        const attr = mesh.geometry.attributes.position;
        const o = mesh.userData.orig;
        for (let i = 0; i < o.length; i++) attr.array[i] = o[i] - field[i] * squeeze;
        attr.needsUpdate = true;
        mesh.userData.pinched = true;
      }
      const st = lookOf(e);
      const glow = new THREE.Color(colours.root).multiplyScalar((0.3 + 0.25 * pulse) * a);
      setLook(e, mix(st.color, colours.root, a * 1.4), glow, Math.max(st.opacity, Math.min(1, 0.25 + a)), true);
      e.pinch = squeeze;
      story.touched.add(e);
    }
    for (const e of t.muscles) {
      const g = muscleGeometry(e);
      const f = Math.min(MUSCLE_SHORTEN, MUSCLE_SHORTEN_MM / Math.max(g.length, 1)) * a;
      setMatrix(e, axisMatrix(g.axis, 1 - f, 1, g.centre));
      const st = lookOf(e);
      const glow = new THREE.Color(colours.muscle).multiplyScalar(0.22 * a);
      const opacity = Math.max(st.opacity, (nearSpace(e, t) ? 0.16 : 0.6) * a);
      setLook(e, mix(st.color, colours.muscle, a), glow, opacity, true);
      story.touched.add(e);
    }
    return !!story.play || !reducedMotion();
  }
  function storyTick() {
    story.raf = 0;
    story.timer = 0;
    if (disposed) return;
    const t0 = performance.now();
    const again = storyApply(t0);
    draw();
    // A slow device (or a software renderer) pulses less often rather than hogging the page.
    const spent = performance.now() - t0;
    if (again) storySchedule(story.play ? 0 : Math.max(PULSE_MS, 4 * spent));
  }
  function storySchedule(delay = 0) {
    if (story.raf || story.timer || disposed) return;
    if (delay > 0) {
      story.timer = setTimeout(() => { story.timer = 0; story.raf = requestAnimationFrame(storyTick); }, delay);
    } else {
      story.raf = requestAnimationFrame(storyTick);
    }
  }
  function onCompression() {
    const msg = model.compression || {};
    const key = msg.key || null;
    if (!loaded) { story.lastPlay = msg.play ?? null; return; }
    if (key !== story.key) {       // another story (or none): undo the last one first
      storyRestore();
      story.cache.clear();
      story.play = null;
      story.stagesSeen = [];
      story.key = key;
    }
    story.msg = key ? msg : null;
    story.targets = key ? storyTargets(msg) : null;
    if (!key) {
      showCaption(null);
      story.lastFocus = null;
      requestRender();
      return;
    }
    if (!msg.play) story.play = null;      // the slider takes over from a playing story
    if (msg.play && msg.play !== story.lastPlay) {
      const still = reducedMotion();
      story.play = { start: performance.now(), smooth: !still, steps: still ? PLAY_STEPS : PLAY_SMOOTH };
      story.stagesSeen = [];
      story.lowestDiscScale = 1;
    }
    story.lastPlay = msg.play ?? null;
    if ((story.play || msg.amount > 0) && story.lastFocus !== key) {
      story.lastFocus = key;
      focusStory(story.targets, msg.view);
    }
    if (story.timer) { clearTimeout(story.timer); story.timer = 0; }
    if (story.raf) { cancelAnimationFrame(story.raf); story.raf = 0; }
    storyTick();
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
      caption: storyBox.hidden ? null : storyTitle.textContent + " " + storyText.textContent,
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
  hook.visibleLabels = () => [...root.querySelectorAll(".radix-label")]
    .filter((n) => n.style.display !== "none" && getComputedStyle(n).display !== "none"
      && getComputedStyle(n).visibility !== "hidden")
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
    return { structures: entries.size, triangles, calls: renderer.info.render.calls,
             antialias: !!renderer.getContext().getContextAttributes().antialias };
  };

  // --- loading --------------------------------------------------------------------------------
  hook.statusLog = [];   // every loading message shown, in order (the browser tests read it)
  function showStatus(text) {
    if (text === status.textContent) return;
    status.textContent = text;
    hook.statusLog.push(text);
  }
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
  // Every GLB in one file (viewer/app/meshpack.py): one request instead of one per structure.
  // Each structure's GLB is the slice ``s.pack = [offset, length]`` of it. Null when there is no
  // pack or it cannot be fetched: the structures then load one by one from their own URLs.
  // The pack's size is where its last slice ends; the status line counts the bytes as they come.
  async function fetchPack(url, list) {
    if (!url) return null;
    const size = Math.max(0, ...list.map((s) => (s.pack ? s.pack[0] + s.pack[1] : 0)));
    const amount = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} KB`);
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (!response.body || !size) return await response.arrayBuffer();
      const reader = response.body.getReader();
      const bytes = new Uint8Array(size);
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (got + value.length > size) throw new Error("larger than its index says");
        bytes.set(value, got);
        got += value.length;
        showStatus(`Loading the body… ${amount(got)} of ${amount(size)}`);
      }
      if (got !== size) throw new Error(`${got} of ${size} bytes`);
      showStatus(`Building ${list.length} structures…`);
      return bytes.buffer;
    } catch (err) {
      console.warn(`Radix: the mesh pack could not be loaded (${err}); loading meshes one by one`);
      return null;
    }
  }
  function parseOne(s, pack) {
    const [offset, length] = s.pack;
    if (!(offset >= 0 && length > 0 && offset + length <= pack.byteLength)) return loadOne(s);
    return new Promise((resolveLoad) => {
      loader.parse(
        pack.slice(offset, offset + length), "",
        (gltf) => resolveLoad({ s, gltf }),
        (err) => resolveLoad({ s, error: err }),
      );
    });
  }
  function addStructure(s, gltf) {
    const group = new THREE.Group();
    const id = String(s.id);
    const baseColor = s.color || COLOURS.base;
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
    showStatus(list.length ? `Loading ${list.length} structures…` : "No structures to show.");
    hook.marks.viewCreated = performance.now();
    const pack = await fetchPack(model.mesh_pack, list);
    hook.marks.packFetched = performance.now();
    hook.packed = !!pack;
    const results = await Promise.all(list.map((s) => (pack && s.pack ? parseOne(s, pack) : loadOne(s))));
    hook.marks.meshesLoaded = performance.now();
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
    hook.marks.meshesBuilt = performance.now();
    loaded = true;
    buildMarkers();
    buildPaths();
    applyStyles();
    resize();
    story.lastPlay = (model.compression || {}).play ?? null;   // a reload does not replay
    onCompression();
    const req = model.camera_request || {};
    if (req.focus && req.seq) focusSelection(req.view);
    else setView(req.view || DEFAULT_VIEW);
    if (failures.length) {
      console.warn(`Radix: ${failures.length} mesh(es) failed to load: ${failures.slice(0, 8).join(", ")}`);
      showStatus(`${failures.length} of ${list.length} meshes could not be loaded.`);
      status.classList.add("radix-status-warn");
    } else {
      status.remove();
    }
    draw();
    hook.marks.firstDrawSubmitted = performance.now();
    requestAnimationFrame(() => {
      hook.marks.firstFrame = performance.now();
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
  function overlaysAsStory() {   // a narrowed story keeps points and meridians out of the way
    if (story.overlaysHidden) markerGroup.visible = pathGroup.visible = false;
  }
  model.on("markers", () => {
    if (loaded) { buildMarkers(); overlayStyles(); overlaysAsStory(); requestRender(); }
  });
  model.on("paths", () => {
    if (loaded) { buildPaths(); overlayStyles(); overlaysAsStory(); requestRender(); }
  });
  model.on("path_library", () => {
    disposePathCache();
    if (loaded) { buildPaths(); overlayStyles(); overlaysAsStory(); requestRender(); }
  });
  model.on("camera_request", applyCameraRequest);
  model.on("compression", onCompression);
  model.on("remove", () => {
    disposed = true;
    if (story.timer) clearTimeout(story.timer);
    if (story.raf) cancelAnimationFrame(story.raf);
    observer.disconnect();
    controls.dispose();
    clearGroup(markerGroup);
    for (const child of [...pathGroup.children]) pathGroup.remove(child);
    disposePathCache();
    for (const e of entries.values()) for (const m of e.meshes) { m.geometry.dispose(); m.material.dispose(); }
    renderer.dispose();
    if (window.radixView === hook) delete window.radixView;
  });

  resize();
  loadAll();
}
