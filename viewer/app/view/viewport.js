// The viewport: WebGL renderer, label renderer, camera, lights, controls and the three groups
// (body, markers, paths); draws on demand. Every other module works on the context it returns.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { CSS2DRenderer } from "three/addons/renderers/CSS2DRenderer.js";
import { el_ } from "./dom.js";
import { declutterLabels } from "./labels.js";

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

// The view's shared context: the three.js objects, the loaded structures, the presets Python sent
// (viewer/scene/style.py BROWSER_PRESETS) and a tiny event bus (``on`` / ``emit``: "frame",
// "styles", "pick") that lets the opt-in test hooks measure without living in the frame path.
export function createViewport(model, el, renderStart) {
  const presets = model.presets || {};
  const root = el_("div", "radix-view");
  const status = el_("div", "radix-status", "Loading the body…");
  const toolbar = el_("div", "radix-toolbar");
  el.appendChild(root);

  const gpu = graphicsRenderer();
  // Multisampling multiplies the cost of every pixel; on a software rasteriser (no GPU) it
  // makes a whole-body frame about three times slower, so it is left off there.
  const renderer = new THREE.WebGLRenderer({ antialias: !gpu.software, alpha: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.setClearColor(0x000000, 0);
  // Transparent objects back to front (three.js's order), except faded muscles (styles.js
  // setLook): those last and nearest first, so each pixel shades only the nearest of them.
  const FADED_MUSCLE_ORDER = 4;
  renderer.setTransparentSort((a, b) => {
    if (a.groupOrder !== b.groupOrder) return a.groupOrder - b.groupOrder;
    if (a.renderOrder !== b.renderOrder) return a.renderOrder - b.renderOrder;
    if (a.z !== b.z) return a.groupOrder === FADED_MUSCLE_ORDER ? a.z - b.z : b.z - a.z;
    return a.id - b.id;
  });
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

  const listeners = { frame: [], styles: [], pick: [], sent: [], shown: [] };   // shown: the first full frame
  const v = {
    model, root, status, toolbar, canvas, renderer, labelRenderer, scene, camera, controls, FADED_MUSCLE_ORDER,
    bodyGroup, markerGroup, pathGroup,
    cameras: presets.cameras || {},
    colours: presets.colours || {},
    entries: new Map(),    // id (string) -> {id, acronym, kind, name, group, meshes, materials, baseColor, opacity, box}
    byAcronym: new Map(),
    bodyBox: new THREE.Box3(),
    loaded: false,
    disposed: false,
    // What the view has done so far (the browser tests and benchmarks read it through the hooks).
    metrics: {
      ready: false,
      readyAtEpochMs: null,     // wall clock (ms since 1970) when the first full frame was on screen
      frameCount: 0, loaded: 0, failed: 0, total: 0, stylesApplied: 0,
      renderer: gpu.name,       // the WebGL renderer string, and whether it is a software one
      software: gpu.software,
      antialias: !gpu.software,
      marks: { renderStart },   // page-load milestones (ms since navigation): see loader.js
      statusLog: [],            // every loading message shown, in order
    },
    on(name, fn) { listeners[name].push(fn); },
    emit(name, ...args) { for (const fn of listeners[name]) fn(...args); },
  };
  v.defaultView = presets.default_view || Object.keys(v.cameras)[0];

  v.drawBody = function drawBody() {   // the WebGL frame alone (labels as they were)
    renderer.render(scene, camera);
    v.metrics.frameCount += 1;
    canvas.dataset.frames = String(v.metrics.frameCount);
  };
  v.draw = function draw() {
    v.drawBody();
    labelRenderer.render(scene, camera);
    declutterLabels(labelRenderer.domElement);
  };
  let pending = false;
  v.requestRender = function requestRender() {
    if (pending || v.disposed) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (v.disposed) return;
      v.draw();
      v.emit("frame", performance.now());
    });
  };
  controls.addEventListener("change", v.requestRender);

  v.resize = function resize() {
    const w = Math.max(root.clientWidth, 1);
    const h = Math.max(root.clientHeight, 1);
    renderer.setSize(w, h, false);
    canvas.style.width = w + "px";
    canvas.style.height = h + "px";
    labelRenderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    v.requestRender();
  };
  v.observer = new ResizeObserver(v.resize);
  v.observer.observe(root);
  return v;
}
