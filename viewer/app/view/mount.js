// Mounting the view: every module installed on one viewport, the model's messages wired, the body
// loaded. Used by the Panel component (view3d.js) and by the page's early script (viewer/app/early.js),
// which starts the same view before Panel has booted and hands it over when Panel's component mounts.
import { installCamera } from "./camera.js";
import { installLoader } from "./loader.js";
import { clearGroup, installOverlays } from "./overlays.js";
import { installPicking } from "./picking.js";
import { installStory } from "./story.js";
import { installStyles } from "./styles.js";
import { installTestHooks } from "./testhooks.js";
import { installTouch } from "./touch.js";
import { createViewport } from "./viewport.js";


export function mountView(model, el) {
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
    v.disposeMarkerGeometry();
    for (const child of [...v.pathGroup.children]) v.pathGroup.remove(child);
    v.disposePathCache();
    for (const e of v.entries.values()) for (const m of e.meshes) { m.geometry.dispose(); m.material.dispose(); }
    v.renderer.dispose();
  });

  v.resize();
  v.loadAll();
  return v;
}
