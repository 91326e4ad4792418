// Technique zones: the skin patch of a massage, gua sha, cupping or stretch zone (translucent), the
// strokes with their arrow heads (direction of the strokes, lengthening of a stretched muscle, the
// press into an acupressure point), cups as discs with a rim, acupressure spots as rings. What and
// where is decided in Python (viewer/scene/techniques.py, ``model.techniques``); this draws it.
import * as THREE from "three";
import { el_ } from "./dom.js";

const UP = new THREE.Vector3(0, 1, 0);

function oriented(mesh, position, normal) {
  mesh.position.set(...position);
  mesh.quaternion.setFromUnitVectors(UP, new THREE.Vector3(...normal).normalize());
  return mesh;
}

function solid(color, opacity = 1) {
  return new THREE.MeshStandardMaterial({
    color, emissive: color, emissiveIntensity: 0.3, roughness: 0.5,
    transparent: opacity < 1, opacity, depthWrite: opacity >= 1,
  });
}

function patchMesh(patch, color, opacity) {
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.Float32BufferAttribute(patch.vertices.flat(), 3));
  g.setIndex(patch.faces.flat());
  g.computeVertexNormals();
  const m = new THREE.MeshStandardMaterial({
    color, emissive: color, emissiveIntensity: 0.35, roughness: 0.8, side: THREE.DoubleSide,
    transparent: true, opacity, depthWrite: false, polygonOffset: true, polygonOffsetFactor: -2,
  });
  const mesh = new THREE.Mesh(g, m);
  mesh.userData = { part: "patch", baseOpacity: 1 };
  mesh.renderOrder = 4;
  return mesh;
}

function strokeMeshes(stroke, color) {
  const pts = (stroke.points || []).map((p) => new THREE.Vector3(...p));
  if (pts.length < 2) return [];
  const curve = pts.length > 2 ? new THREE.CatmullRomCurve3(pts, false, "centripetal") : new THREE.LineCurve3(pts[0], pts[1]);
  const out = [new THREE.Mesh(new THREE.TubeGeometry(curve, Math.max(8, pts.length * 6), 1.8, 6, false), solid(color))];
  const ends = [[pts[pts.length - 1], pts[pts.length - 1].clone().sub(pts[pts.length - 2])]];
  if (stroke.arrow === "both") ends.push([pts[0], pts[0].clone().sub(pts[1])]);
  for (const [tip, dir] of ends) {
    const cone = new THREE.Mesh(new THREE.ConeGeometry(6, 15, 18), solid(color));
    cone.quaternion.setFromUnitVectors(UP, dir.normalize());
    cone.position.copy(tip);
    out.push(cone);
  }
  for (const m of out) { m.userData = { part: "stroke" }; m.renderOrder = 5; }
  return out;
}

function cupMeshes(cup, color) {
  const r = cup.radius || 20;
  const body = oriented(new THREE.Mesh(new THREE.CylinderGeometry(r, r, 8, 40, 1, false), solid(color, 0.5)),
    cup.position, cup.normal);
  body.translateY(4);
  const rim = oriented(new THREE.Mesh(new THREE.TorusGeometry(r * 0.92, r * 0.1, 8, 40), solid(color)),
    cup.position, cup.normal);
  rim.translateY(8.5);
  rim.rotateX(Math.PI / 2);
  for (const m of [body, rim]) { m.userData = { part: "cup", baseOpacity: m === body ? 0.5 : 1 }; m.renderOrder = 5; }
  return [body, rim];
}

function spotMesh(spot, color) {
  const ring = oriented(new THREE.Mesh(new THREE.RingGeometry(spot.radius * 0.45, spot.radius, 32), solid(color)),
    spot.position, spot.normal);
  ring.rotateX(-Math.PI / 2);   // RingGeometry lies in XY: turn it to face along the normal
  ring.material.side = THREE.DoubleSide;
  ring.userData = { part: "spot" };
  ring.renderOrder = 5;
  return ring;
}

export function installTechniques(v) {
  const { model, scene } = v;
  const group = new THREE.Group();
  group.name = "techniques";
  scene.add(group);
  v.techniqueGroup = group;
  v.techniquesShown = [];
  // A stretch's movement in words, as a caption in the view's corner: never hidden by labels.
  const caption = el_("div", "radix-technique-caption");
  Object.assign(caption.style, {
    position: "absolute", left: "12px", top: "60px", maxWidth: "min(360px, 60%)", padding: "7px 11px",   // below the toolbar
    background: "rgba(255, 255, 255, 0.94)", borderRadius: "8px", boxShadow: "0 2px 8px rgba(15, 23, 42, 0.18)",
    font: '500 13px/1.4 "Inter", "Segoe UI", system-ui, sans-serif', pointerEvents: "none",
  });
  caption.hidden = true;
  v.root.appendChild(caption);

  function layer() {
    return ((model.structure_styles || {}).kinds || {}).techniques || {};
  }
  function clear() {
    for (const child of [...group.children]) {
      group.remove(child);
      child.traverse((o) => {
        if (o.geometry) o.geometry.dispose();
        if (o.material) o.material.dispose();
        if (o.isCSS2DObject && o.element.parentNode) o.element.parentNode.removeChild(o.element);
      });
    }
  }
  v.buildTechniques = function buildTechniques() {
    clear();
    const shown = [];
    const opacity = Math.max(0.05, Math.min(1, layer().opacity ?? 0.55));
    for (const t of model.techniques || []) {
      if (!t) continue;
      const color = t.color || v.colours.path;   // the colour comes with the zone (viewer/scene/style.py)
      const zone = new THREE.Group();
      zone.userData = { technique: t.id, kind: t.kind, side: t.side };
      let triangles = 0;
      if (t.patch && t.patch.faces && t.patch.faces.length) {
        zone.add(patchMesh(t.patch, color, opacity));
        triangles = t.patch.faces.length;
      }
      for (const s of t.strokes || []) for (const m of strokeMeshes(s, color)) zone.add(m);
      for (const c of t.cups || []) for (const m of cupMeshes(c, color)) zone.add(m);
      for (const s of t.spots || []) zone.add(spotMesh(s, color));
      group.add(zone);
      shown.push({ id: t.id, kind: t.kind, side: t.side, triangles, strokes: (t.strokes || []).length,
                   cups: (t.cups || []).map((c) => ({ position: c.position, radius: c.radius, level: c.level ?? null })),
                   spots: (t.spots || []).map((s) => s.code), label: t.label || "", centre: t.centre || null });
    }
    v.techniquesShown = shown;
    group.visible = (layer().visible ?? true);
    const labelled = (model.techniques || []).filter((t) => t && t.label);
    caption.textContent = [...new Set(labelled.map((t) => t.label))].join(" · ");
    caption.style.borderLeft = labelled.length ? `4px solid ${labelled[0].color}` : "";
    caption.hidden = !labelled.length || !group.visible;
  };
  // The layer's opacity changes the patches only; strokes, cups and spots stay solid to read.
  v.styleTechniques = function styleTechniques() {
    const l = layer();
    const opacity = Math.max(0.05, Math.min(1, l.opacity ?? 0.55));
    group.visible = (l.visible ?? true);
    if (!group.visible) caption.hidden = true;
    group.traverse((o) => {
      if (o.userData && o.userData.part === "patch") o.material.opacity = opacity;
    });
  };
  // What is drawn now, for the browser tests: [{id, kind, side, triangles, strokes, cups, spots}].
  v.techniquesDrawn = () => ({ visible: group.visible, caption: caption.hidden ? "" : caption.textContent,
                                zones: v.techniquesShown.map((z) => ({ ...z })) });

  model.on("techniques", () => { if (v.loaded) { v.buildTechniques(); v.requestRender(); } });
  model.on("structure_styles", () => { if (v.loaded) { v.styleTechniques(); } });
  // The loader draws the body's first frame; the zones follow as soon as it has (no change there).
  const waitForBody = setInterval(() => {
    if (v.disposed) { clearInterval(waitForBody); return; }
    if (!v.loaded) return;
    clearInterval(waitForBody);
    v.buildTechniques();
    v.requestRender();
  }, 50);
  model.on("remove", () => { clearInterval(waitForBody); clear(); caption.remove(); });
}
