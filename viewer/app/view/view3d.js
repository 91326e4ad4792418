// Radix 3D view: a three.js scene inside a Panel JSComponent (see viewer/app/view3d.py).
//
// Meshes load once as static GLB files; after that Python only sends small messages (styles by
// id, markers, paths, camera requests) and the browser sends back what was picked. What is drawn
// (colours, fades, camera presets) is decided in Python (viewer/scene); this folder only draws it.
// Atlas axes are kept as they are: +X subject's left, +Y posterior, +Z up, millimetres.
//
// One module per job: viewport.js (renderer, camera, lights, frames on demand), camera.js
// (presets, framing, toolbar), styles.js, labels.js, overlays.js (markers, meridians),
// picking.js (click and tap), touch.js (a finger's tolerance, long press), loader.js (meshes),
// story.js + story_shapes.js (a compressed root) and testhooks.js (the hooks the browser tests
// read, only when the server opts in).
import { installCamera } from "./camera.js";
import { installLoader } from "./loader.js";
import { clearGroup, installOverlays } from "./overlays.js";
import { installPicking } from "./picking.js";
import { installStory } from "./story.js";
import { installStyles } from "./styles.js";
import { installTestHooks } from "./testhooks.js";
import { installTouch } from "./touch.js";
import { createViewport } from "./viewport.js";

export function render({ model, el }) {
  const v = createViewport(model, el, performance.now());
  installCamera(v);
  installStyles(v);
  installOverlays(v);
  installStory(v);
  installTouch(v);      // before picking: its pointer handlers see a gesture's start first
  installPicking(v);
  installLoader(v);
  if (model.test_hooks) installTestHooks(v);

  model.on("structure_styles", v.onStyles);
  model.on("markers", () => { if (v.loaded) { v.buildMarkers(); v.refreshOverlays(); } });
  model.on("paths", () => { if (v.loaded) { v.buildPaths(); v.refreshOverlays(); } });
  model.on("path_library", () => {
    v.disposePathCache();
    if (v.loaded) { v.buildPaths(); v.refreshOverlays(); }
  });
  model.on("dermatomes", () => { if (v.loaded) { v.drawDermatomes(); v.requestRender(); } });
  model.on("camera_request", v.applyCameraRequest);
  model.on("compression", v.onCompression);
  model.on("remove", () => {
    v.disposed = true;
    v.stopStory();
    v.observer.disconnect();
    v.controls.dispose();
    clearGroup(v.markerGroup);
    for (const child of [...v.pathGroup.children]) v.pathGroup.remove(child);
    v.disposePathCache();
    for (const e of v.entries.values()) for (const m of e.meshes) { m.geometry.dispose(); m.material.dispose(); }
    v.renderer.dispose();
  });

  v.resize();
  v.loadAll();
}
