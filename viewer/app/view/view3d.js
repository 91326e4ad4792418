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

// The page's early script (viewer/app/early.js) may have started this view already, before Panel
// booted: the component then adopts it (same canvas, scene, camera and loaded body) instead of
// loading the body a second time. Where the early script runs, its own copy of the view's modules
// (and of three.js) mounts any other view too: this bundle's copy is imported only without it, so
// the page holds one three.js, not two.
export async function render({ model, el }) {
  const early = window.radixEarly;
  if (early && early.adopt(model, el)) return;
  const { mountView } = early && early.mountView ? early : await import("./mount.js");
  mountView(model, el);
}
