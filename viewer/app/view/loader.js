// Loading: the whole body as one GLB (EXT_meshopt_compression, decoded by three.js's own
// MeshoptDecoder; viewer/app/meshpack.py) or every structure's GLB one by one, built into meshes
// once; then the first frame.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
import { MeshoptDecoder } from "three/addons/libs/meshopt_decoder.module.js";

// Quantized positions (KHR_mesh_quantization: normalized int16) as float millimetres, the node's
// transform baked in: the story and the dermatome layer read and write them in atlas coordinates.
function atlasPositions(geometry, matrix) {
  const attr = geometry.attributes.position;
  if (!(attr.array instanceof Float32Array) || attr.isInterleavedBufferAttribute) {
    const out = new Float32Array(attr.count * 3);
    for (let i = 0; i < attr.count; i++) {
      out[3 * i] = attr.getX(i); out[3 * i + 1] = attr.getY(i); out[3 * i + 2] = attr.getZ(i);
    }
    geometry.setAttribute("position", new THREE.BufferAttribute(out, 3));
  }
  geometry.applyMatrix4(matrix);
  return geometry;
}

export function installLoader(v) {
  const { model, status, canvas, entries, byAcronym, bodyGroup, metrics } = v;

  function showStatus(text) {
    if (text === status.textContent) return;
    status.textContent = text;
    metrics.statusLog.push(text);
  }
  const loader = new GLTFLoader().setMeshoptDecoder(MeshoptDecoder);
  function loadOne(s) {
    return new Promise((resolveLoad) => {
      loader.load(
        s.url,
        (gltf) => resolveLoad({ s, meshes: meshesOf(gltf.scene) }),
        undefined,
        (err) => resolveLoad({ s, error: err }),
      );
    });
  }
  function meshesOf(object) {
    object.updateMatrixWorld(true);
    const out = [];
    object.traverse((o) => { if (o.isMesh) out.push(o); });
    return out;
  }
  // The whole body in one request (the page's <link rel=preload> or Link header may have started
  // it already). Null when there is none or it cannot be fetched or parsed: the structures then
  // load one by one from their own URLs. The status line counts the bytes as they come.
  async function fetchBody(url, size) {
    if (!url) return null;
    const amount = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} KB`);
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      let buffer;
      if (!response.body || !size) buffer = await response.arrayBuffer();
      else {
        const reader = response.body.getReader();
        const bytes = new Uint8Array(size);
        let got = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (got + value.length > size) throw new Error("larger than the server says");
          bytes.set(value, got);
          got += value.length;
          showStatus(`Loading the body… ${amount(got)} of ${amount(size)}`);
        }
        if (got !== size) throw new Error(`${got} of ${size} bytes`);
        buffer = bytes.buffer;
      }
      metrics.marks.packFetched = performance.now();
      const gltf = await loader.parseAsync(buffer, "");
      const byNode = new Map();
      gltf.scene.updateMatrixWorld(true);
      // One node per structure, named by its id; a single-primitive node is the mesh itself.
      for (const node of gltf.scene.children) byNode.set(node.name, meshesOf(node));
      return byNode;
    } catch (err) {
      console.warn(`Radix: the body file could not be loaded (${err}); loading meshes one by one`);
      return null;
    }
  }
  function addStructure(s, sources) {
    const group = new THREE.Group();
    const id = String(s.id);
    const baseColor = s.color || v.colours.base;
    const meshes = [];
    const materials = [];
    for (const o of sources) {
      const geometry = atlasPositions(o.geometry, o.matrixWorld);   // one mesh, atlas coordinates
      if (!geometry.attributes.normal) geometry.computeVertexNormals();
      geometry.computeBoundingBox();
      geometry.computeBoundingSphere();
      // Closed meshes wound outward (checked at build: extras.closed) show only front faces.
      const closed = s.kind === "skin" || o.userData.closed === true;
      const material = new THREE.MeshStandardMaterial({
        color: baseColor, roughness: 0.62, metalness: 0.0, flatShading: false,
        side: closed ? THREE.FrontSide : THREE.DoubleSide,
      });
      const mesh = new THREE.Mesh(geometry, material);
      mesh.userData = { sid: id, kind: s.kind };
      group.add(mesh);
      meshes.push(mesh);
      materials.push(material);
    }
    group.userData = { sid: id };
    bodyGroup.add(group);
    group.updateMatrixWorld(true);
    const box = new THREE.Box3().setFromObject(group);
    const entry = { id: s.id, acronym: s.acronym, kind: s.kind, name: s.name, group, meshes, materials, baseColor, opacity: 1, box };
    entries.set(id, entry);
    byAcronym.set(s.acronym, entry);
  }
  v.loadAll = async function loadAll() {
    const list = model.structures || [];
    metrics.total = list.length;
    showStatus(list.length ? `Loading ${list.length} structures…` : "No structures to show.");
    metrics.marks.viewCreated = performance.now();
    const body = await fetchBody(model.mesh_pack, model.mesh_pack_bytes);
    metrics.packed = !!body;
    if (body) showStatus(`Building ${list.length} structures…`);
    const results = await Promise.all(list.map((s) => (body && body.has(s.node)
      ? { s, meshes: body.get(s.node) } : loadOne(s))));
    metrics.marks.meshesLoaded = performance.now();
    if (v.disposed) return;
    const failures = [];
    for (const r of results) {
      if (r.error) { failures.push(r.s.acronym); continue; }
      addStructure(r.s, r.meshes);
    }
    metrics.loaded = entries.size;
    metrics.failed = failures.length;
    v.bodyBox = new THREE.Box3();
    for (const e of entries.values()) if (e.kind !== "skin" || entries.size === 1) v.bodyBox.union(e.box);
    if (v.bodyBox.isEmpty()) for (const e of entries.values()) v.bodyBox.union(e.box);
    metrics.marks.meshesBuilt = performance.now();
    v.loaded = true;
    v.buildMarkers();
    v.buildPaths();
    v.applyStyles();
    v.resize();
    v.story.lastPlay = (model.compression || {}).play ?? null;   // a reload does not replay
    v.onCompression();
    const req = model.camera_request || {};
    if (req.focus && req.seq) v.focusSelection(req.view);
    else v.setView(req.view || v.defaultView);
    if (failures.length) {
      console.warn(`Radix: ${failures.length} mesh(es) failed to load: ${failures.slice(0, 8).join(", ")}`);
      showStatus(`${failures.length} of ${list.length} meshes could not be loaded.`);
      status.classList.add("radix-status-warn");
    } else {
      status.remove();
    }
    v.draw();
    metrics.marks.firstDrawSubmitted = performance.now();
    requestAnimationFrame(() => {
      metrics.marks.firstFrame = performance.now();
      metrics.readyAtEpochMs = performance.timeOrigin + performance.now();
      v.markReady();
      v.emit("shown");
    });
  };
  // Ready: the body drawn and the view in its component (a view the page's early script started
  // is ready once the component has adopted it: viewer/app/early.js).
  v.markReady = function markReady() {
    if (v.awaitingComponent || metrics.marks.firstFrame === undefined) return;
    metrics.ready = true;
    canvas.dataset.ready = "true";
    model.ready = true;
  };
}
