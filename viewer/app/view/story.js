// The story of a compressed root (viewer/scene/story.py sends the ids and the captions): the disc
// flattens along the spine and bulges a little, the column above rides down by the height lost,
// the root at the foramen narrows there and glows red, and the muscles it supplies warm up and
// shorten. Everything is undone exactly when the narrowing returns to 0.
import * as THREE from "three";
import { el_ } from "./dom.js";
import {
  axisMatrix, discGeometry, muscleGeometry, pinchField, setMatrix, smooth,
} from "./story_shapes.js";

export function installStory(v) {
  const DISC_HEIGHT_LEFT = 0.45;   // of the disc's height, at full narrowing
  const DISC_BULGE = 0.14;         // radial growth at full narrowing
  const ROOT_SQUEEZE = 0.62;       // of the root's radius lost at the foramen
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
  v.root.appendChild(storyBox);

  const story = v.story = {
    msg: null, key: null, targets: null, touched: new Set(), cache: new Map(),
    play: null, lastPlay: null, lastFocus: null, timer: 0, raf: 0,
    amount: 0, opening: false, stage: null, stagesSeen: [], discScale: 1, lowestDiscScale: 1, drop: 0,
    overlaysHidden: false,
  };

  function cached(name, e, make) {
    const k = `${name}:${e.id}:${story.key}`;
    if (!story.cache.has(k)) story.cache.set(k, make());
    return story.cache.get(k);
  }
  function storyTargets(msg) {
    const get = (id) => (id == null ? null : v.entries.get(String(id)) || null);
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
    if (st) v.setLook(e, st.color, st.emissive, st.opacity, st.visible);
  }
  function storyRestore() {
    if (story.overlaysHidden) v.overlayStyles();   // markers and meridians back as styled
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
    v.frameBox(box.expandByScalar(Math.max(size.x, size.y, size.z) * 0.4), view || null);
  }
  function nearSpace(e, t) {   // muscles around the space stay see-through so the disc shows
    if (!t.disc) return false;
    return cached("near", e, () => e.box.intersectsBox(t.disc.box.clone().expandByScalar(40)));
  }

  // Draw the story at `now`; returns whether another frame is wanted.
  function storyApply(now) {
    if (!v.loaded || !story.msg || !story.targets) return false;
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
    v.markerGroup.visible = v.pathGroup.visible = false;   // points and meridians would hide the space
    story.overlaysHidden = true;
    const t = story.targets;
    const colours = { ...v.colours.story, ...(story.msg.colours || {}) };
    const pulse = reducedMotion() ? 0 : 0.5 + 0.5 * Math.sin(now / 230);
    let drop = 0;
    if (t.disc) {
      const g = discGeometry(cached, t.disc, t.axis);
      const axial = 1 - (1 - DISC_HEIGHT_LEFT) * a;
      setMatrix(t.disc, axisMatrix(t.axis, axial, 1 + DISC_BULGE * a, g.bottom));
      drop = g.height * (1 - axial);
      story.discScale = axial;
      story.lowestDiscScale = Math.min(story.lowestDiscScale, axial);
      const st = lookOf(t.disc);
      const f = Math.min(1, a * 3);
      v.setLook(t.disc, mix(st.color, colours.disc, f), st.emissive, st.opacity + (1 - st.opacity) * f, true);
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
    let discCentre = t.disc ? discGeometry(cached, t.disc, t.axis).centre : null;
    if (!discCentre) {   // a body without this disc: between the bones above and below it
      const box = new THREE.Box3();
      for (const e of [t.upper, t.lower]) if (e) box.union(e.box);
      discCentre = box.isEmpty() ? new THREE.Vector3() : box.getCenter(new THREE.Vector3());
    }
    const squeeze = ROOT_SQUEEZE * a * (1 - 0.12 * pulse);
    for (const { e, at } of t.roots) {
      for (const { mesh, field } of pinchField(cached, e, at, discCentre)) {
        const attr = mesh.geometry.attributes.position;
        const o = mesh.userData.orig;
        for (let i = 0; i < o.length; i++) attr.array[i] = o[i] - field[i] * squeeze;
        attr.needsUpdate = true;
        mesh.userData.pinched = true;
      }
      const st = lookOf(e);
      const glow = new THREE.Color(colours.root).multiplyScalar((0.3 + 0.25 * pulse) * a);
      v.setLook(e, mix(st.color, colours.root, a * 1.4), glow, Math.max(st.opacity, Math.min(1, 0.25 + a)), true);
      e.pinch = squeeze;
      story.touched.add(e);
    }
    for (const e of t.muscles) {
      const g = muscleGeometry(cached, e);
      const f = Math.min(MUSCLE_SHORTEN, MUSCLE_SHORTEN_MM / Math.max(g.length, 1)) * a;
      setMatrix(e, axisMatrix(g.axis, 1 - f, 1, g.centre));
      const st = lookOf(e);
      const glow = new THREE.Color(colours.muscle).multiplyScalar(0.22 * a);
      const opacity = Math.max(st.opacity, (nearSpace(e, t) ? 0.16 : 0.6) * a);
      v.setLook(e, mix(st.color, colours.muscle, a), glow, opacity, true);
      story.touched.add(e);
    }
    return !!story.play || !reducedMotion();
  }
  function storyTick() {
    story.raf = 0;
    story.timer = 0;
    if (v.disposed) return;
    const t0 = performance.now();
    const again = storyApply(t0);
    v.draw();
    // A slow device (or a software renderer) pulses less often rather than hogging the page.
    const spent = performance.now() - t0;
    if (again) storySchedule(story.play ? 0 : Math.max(PULSE_MS, 4 * spent));
  }
  function storySchedule(delay = 0) {
    if (story.raf || story.timer || v.disposed) return;
    if (delay > 0) {
      story.timer = setTimeout(() => { story.timer = 0; story.raf = requestAnimationFrame(storyTick); }, delay);
    } else {
      story.raf = requestAnimationFrame(storyTick);
    }
  }
  function onCompression() {
    const msg = v.model.compression || {};
    const key = msg.key || null;
    if (!v.loaded) { story.lastPlay = msg.play ?? null; return; }
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
      v.requestRender();
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

  v.storyApply = storyApply;
  v.onCompression = onCompression;
  v.stopStory = function stopStory() {
    if (story.timer) clearTimeout(story.timer);
    if (story.raf) cancelAnimationFrame(story.raf);
  };
  v.storyCaption = () => (storyBox.hidden ? null : storyTitle.textContent + " " + storyText.textContent);
}
