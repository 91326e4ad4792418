// Loading: every structure's GLB, from the mesh pack (one request) or one by one, built into
// meshes once; then the first frame.
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";

export function installLoader(v) {
  const { model, status, canvas, entries, byAcronym, bodyGroup, metrics } = v;

  function showStatus(text) {
    if (text === status.textContent) return;
    status.textContent = text;
    metrics.statusLog.push(text);
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
    const baseColor = s.color || v.colours.base;
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
  v.loadAll = async function loadAll() {
    const list = model.structures || [];
    metrics.total = list.length;
    showStatus(list.length ? `Loading ${list.length} structures…` : "No structures to show.");
    metrics.marks.viewCreated = performance.now();
    const pack = await fetchPack(model.mesh_pack, list);
    metrics.marks.packFetched = performance.now();
    metrics.packed = !!pack;
    const results = await Promise.all(list.map((s) => (pack && s.pack ? parseOne(s, pack) : loadOne(s))));
    metrics.marks.meshesLoaded = performance.now();
    if (v.disposed) return;
    const failures = [];
    for (const r of results) {
      if (r.error) { failures.push(r.s.acronym); continue; }
      addStructure(r.s, r.gltf);
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
      metrics.ready = true;
      canvas.dataset.ready = "true";
      model.ready = true;
    });
  };
}
