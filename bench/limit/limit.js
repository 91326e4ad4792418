// The plain three.js page that marks the limit for the Radix body (bench/bench_limit.py): one
// renderer, GLTFLoader with three.js's MeshoptDecoder loading the same body as one GLB, front
// faces only, a raycast and a recolour on click. Nothing else: no UI framework, no labels, no
// server round trip. The camera comes from the page's hash (the pose Radix's view shows), so both
// pages draw the same picture.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { MeshoptDecoder } from "three/addons/libs/meshopt_decoder.module.js";

const marks = {};
const limit = { ready: false, marks, lastPresentedAt: null, meshes: 0, triangles: 0 };
window.limit = limit;

const pose = JSON.parse(decodeURIComponent(location.hash.slice(1) || "null")) || {
  position: [0, 2600, 950], target: [0, 0, 950], up: [0, 0, 1], fov: 35, near: 10, far: 20000 };
const W = pose.width || window.innerWidth;    // the size of Radix's canvas: the same pixels to fill
const H = pose.height || window.innerHeight;
const renderer = new THREE.WebGLRenderer({ antialias: false });
renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
renderer.setSize(W, H);
renderer.outputColorSpace = THREE.SRGBColorSpace;
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.add(new THREE.HemisphereLight(0xffffff, 0x9c8f80, 1.5));
const light = new THREE.DirectionalLight(0xffffff, 1.6);
scene.add(light);
const camera = new THREE.PerspectiveCamera(pose.fov, W / H, pose.near, pose.far);
camera.position.fromArray(pose.position);
camera.up.fromArray(pose.up);
camera.lookAt(new THREE.Vector3().fromArray(pose.target));
light.position.copy(camera.position);

const meshes = [];
const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
loader.load("body.glb", (gltf) => {
  marks.loaded = performance.now();
  const hidden = new Set(pose.hidden || []);   // as in Radix's default view (the skin)
  gltf.scene.traverse((o) => {
    if (!o.isMesh) return;
    if (hidden.has(o.name) || (o.parent && hidden.has(o.parent.name))) { o.visible = false; return; }
    o.geometry.computeVertexNormals();
    o.material = new THREE.MeshStandardMaterial({ color: 0xc8beb2, roughness: 0.62, metalness: 0 });
    meshes.push(o);
    limit.triangles += o.geometry.index.count / 3;
  });
  limit.meshes = meshes.length;
  scene.add(gltf.scene);
  renderer.render(scene, camera);
  requestAnimationFrame(() => {
    marks.firstFrame = performance.now();
    limit.ready = true;
  });
});

const raycaster = new THREE.Raycaster();
function hitAt(x, y) {
  raycaster.setFromCamera(new THREE.Vector2((x / W) * 2 - 1, -(y / H) * 2 + 1), camera);
  return raycaster.intersectObjects(meshes, false)[0] || null;
}
let picked = null;
renderer.domElement.addEventListener("pointerup", (ev) => {
  const hit = hitAt(ev.clientX, ev.clientY);
  limit.lastHitAt = performance.now();
  if (picked) picked.material.color.set(0xc8beb2);
  picked = hit ? hit.object : null;
  if (picked) picked.material.color.set(0xd62839);
  renderer.render(scene, camera);
  limit.lastDrawnAt = performance.now();
  requestAnimationFrame(() => { limit.lastPresentedAt = performance.now(); });
});

// Where a click lands on the node named `name`: its first sampled vertex a ray there hits first.
limit.screenPoint = (name) => {
  const mesh = meshes.find((m) => m.name === name || (m.parent && m.parent.name === name));
  if (!mesh) return null;
  const pos = mesh.geometry.attributes.position;
  const step = Math.max(1, Math.floor(pos.count / 200));
  for (let i = 0; i < pos.count; i += step) {
    const p = new THREE.Vector3().fromBufferAttribute(pos, i).applyMatrix4(mesh.matrixWorld).project(camera);
    const x = ((p.x + 1) / 2) * W;
    const y = ((1 - p.y) / 2) * H;
    if (x < 2 || y < 2 || x > W - 2 || y > H - 2 || p.z > 1) continue;
    const hit = hitAt(x, y);
    if (hit && hit.object === mesh) return { x, y };
  }
  return null;
};
// Mean ms of one full frame, waiting for the GPU each time (as radixView.frameTime does).
limit.frameTime = (n = 20) => {
  const gl = renderer.getContext();
  const px = new Uint8Array(4);
  renderer.render(scene, camera);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    renderer.render(scene, camera);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  }
  return (performance.now() - t0) / n;
};
