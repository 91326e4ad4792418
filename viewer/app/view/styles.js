// Styles: each structure's colour, opacity and visibility from the server's ``structure_styles``
// message (decided by viewer/scene; the browser only applies it).
import { setLabel } from "./labels.js";

export function installStyles(v) {
  const { model, root, entries, markerGroup, pathGroup } = v;

  v.applyOverlay = function applyOverlay(group, layer) {
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
  };
  v.overlayStyles = function overlayStyles() {
    const kinds = (model.structure_styles || {}).kinds || {};
    v.applyOverlay(markerGroup, kinds.points || {});
    v.applyOverlay(pathGroup, kinds.meridians || {});
  };
  // Faded structures are see-through, front faces only (closed meshes). Faded muscles, the many
  // overlapping layers that hide the spine, are drawn last, nearest first, writing depth: one
  // layer of muscle glass over what lies behind it (the highlighted chain, the faded bones),
  // instead of every muscle blended over every other (about 2.5 times the frame on a software
  // rasteriser). viewport.js sorts FADED_MUSCLE_ORDER nearest first.
  // Idempotent: a look the structure already has is not applied again (the server's answer to a
  // click restyles every structure, most of them as they were; the clicked one was recoloured by
  // the click itself).
  v.setLook = function setLook(e, color, emissive, opacity, visible) {
    const was = e.look;
    if (was && was.color === color && was.emissive === emissive && was.opacity === opacity && was.visible === visible) {
      v.metrics.looksSkipped = (v.metrics.looksSkipped || 0) + 1;
      return;
    }
    e.look = { color, emissive, opacity, visible };
    const transparent = opacity < 0.999;
    const glass = transparent && e.kind === "muscle";
    e.opacity = opacity;
    e.group.visible = visible && opacity > 0.001;
    e.group.renderOrder = glass ? v.FADED_MUSCLE_ORDER : transparent ? 2 : 0;
    for (const m of e.materials) {
      m.color.set(color);
      m.emissive.set(emissive);
      m.opacity = opacity;
      if (m.transparent !== transparent) {
        m.transparent = transparent;
        m.needsUpdate = true;
      }
      m.depthWrite = !transparent || glass;
    }
  };
  v.applyStyles = function applyStyles() {
    const st = model.structure_styles || {};
    const kinds = st.kinds || {};
    const ids = st.ids || {};
    root.classList.toggle("radix-nolabels", st.labels === false);
    v.applyOverlay(markerGroup, kinds.points || {});
    v.applyOverlay(pathGroup, kinds.meridians || {});
    for (const [id, e] of entries) {
      const k = kinds[e.kind] || {};
      const o = ids[id] || {};
      const visible = o.visible ?? k.visible ?? true;
      const opacity = Math.max(0, Math.min(1, o.opacity ?? k.opacity ?? 1));
      const color = o.color ?? k.color ?? e.baseColor;
      const emissive = o.emissive ?? "#000000";
      e.styled = { color, emissive, opacity, visible };   // the story blends from this look
      v.setLook(e, color, emissive, opacity, visible);
      setLabel(v, e, e.group.visible ? o.label : null);
    }
    if (v.drawDermatomes) v.drawDermatomes();   // the skin over a selected root's territory
    v.metrics.stylesApplied += 1;
  };
  // A click recolours the clicked structure at once, in its role's colour (sent by viewer/scene
  // with the presets), and draws it in the click's own task, before anything else runs (the
  // pick's message to the server is sent after that frame, picking.js); the server's answer then
  // styles the whole chain (and may undo this, e.g. a second click that clears the selection).
  v.previewPick = function previewPick(id) {
    const e = entries.get(String(id));
    const colour = e && (v.colours.roles || {})[e.kind];
    if (!colour) return;
    v.setLook(e, colour, "#000000", 1, true);
    v.metrics.previews = (v.metrics.previews || 0) + 1;
    v.drawBody();    // the labels stay where they are: WebGL only, no DOM layout in the click
    v.emit("frame", performance.now());
  };
  v.onStyles = function onStyles() {
    if (!v.loaded) return;
    const received = performance.now();
    v.applyStyles();
    v.storyApply(performance.now());   // the story's tints sit on top of the new styles
    const applied = performance.now();
    // Drawn on the next animation frame together with the markers and paths of the same answer
    // (they arrive in the same message): one whole-body frame per click, not two.
    v.requestRender();
    v.emit("styles", (model.structure_styles || {}).seq ?? null, received, applied);
  };
}
