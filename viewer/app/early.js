// The page's early script: starts the 3D view before Panel has booted.
//
// Panel creates the view's component only once Bokeh's and Panel's JavaScript (about 2 MB) and the
// document have arrived. This module, bundled apart (viewer/app/dist/early.bundle.js, the page's
// <head>), reads what the server's first view will be (viewer/app/early.py: the structures, the body
// file, the default styles and presets, as static JSON beside the body file), mounts the same view
// (view/mount.js) on a model that stands in for the component's, and loads and draws the body at
// once. When the component renders, view3d.js calls ``radixEarly.adopt(model, el)``: the view's
// element (same canvas, scene, camera, loaded meshes) moves into the component, the stand-in starts
// reading and writing the real model, and every message handler runs once so the view shows what
// the session holds. No second download, no second decode. Without the JSON (no body file, a
// server without the meshes folder) nothing happens here and the component mounts its own view.
//
// The page (viewer/app/page.html) runs this module first in <head>, async, while Bokeh's scripts
// still load: the view is mounted at once (on <html> when there is no <body> yet). Every URL is
// relative to this script, which lies beside the JSON and the body file: the app may be served
// under a sub-path (panel serve --prefix).
import { mountView } from "./view/mount.js";

// Bokeh's and Panel's scripts (about 3 MB of JavaScript) wait on the page (page.html: a <template>
// and its loader, ``radixBootPanel``) until the early view has drawn its first full frame, so
// their fetching, parsing and running does not share the main thread with the body's first frame.
// This script says at once that it will start them: after that frame, on any way out without a
// view, and at the latest PANEL_AT_LATEST_MS after it started (a page in a background tab draws
// no frame until it is shown; a slow network).
const PANEL_AT_LATEST_MS = 4000;
window.radixHoldsPanel = true;
function bootPanel() {
  window.radixPanelWanted = true;
  if (typeof window.radixBootPanel === "function") window.radixBootPanel();
}

// Its digest (early.py) comes in this script's URL: a changed first view is a new URL (the page
// preloads it), an unchanged one may come from the cache.
const CONFIG_DIGEST = new URL(import.meta.url).searchParams.get("c");
const CONFIG_URL = new URL(`first-view.json${CONFIG_DIGEST ? `?v=${CONFIG_DIGEST}` : ""}`, import.meta.url);
// The JSON's URLs (the body file, each structure's own GLB) are relative to it.
const beside = (url) => (typeof url === "string" && url ? new URL(url, CONFIG_URL).href : url);
// A body file's name (body-<hash of the meshes>.glb) says which body it is.
const fileName = (url) => String(url || "").split(/[?#]/)[0].split("/").pop();

// A model that holds the early config until the component's model arrives, then forwards every
// read and write to it; ``on`` handlers are kept and registered on the real model then.
function standInModel(config) {
  const own = { ...config };
  const handlers = [];
  let real = null;
  const model = new Proxy(own, {
    get(target, key) {
      if (key === "on") {
        return (name, fn) => { handlers.push([name, fn]); if (real) real.on(name, fn); };
      }
      return real ? real[key] : target[key];
    },
    set(target, key, value) {
      if (real) real[key] = value; else target[key] = value;
      return true;
    },
  });
  function attach(m, before) {
    real = m;
    for (const [name, fn] of handlers) m.on(name, fn);
    before();
    // What the session holds may differ from the first view's defaults: show it.
    for (const [name, fn] of handlers) if (name !== "remove") fn();
  }
  function dispose() {
    for (const [name, fn] of handlers) if (name === "remove") fn();
  }
  return { model, attach, dispose };
}

// Where the component will be, before the page exists: below the header, right of the side bar on
// a wide screen (viewer/app/layout.py); the view is resized when it is adopted.
function placeholder(css) {
  const holder = document.createElement("div");
  const wide = window.innerWidth > 1100;
  const top = wide ? 76 : 52;
  const left = wide ? 300 : 0;
  holder.style.cssText = `position: fixed; left: ${left}px; top: ${top}px; right: 0; bottom: 0; z-index: -1;`;
  holder.setAttribute("aria-hidden", "true");
  const shadow = holder.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  const el = document.createElement("div");
  el.style.cssText = "width: 100%; height: 100%;";
  shadow.append(style, el);
  (document.body || document.documentElement).appendChild(holder);
  return { holder, el };
}

async function start() {
  const marks = { earlyStart: performance.now() };
  setTimeout(bootPanel, PANEL_AT_LATEST_MS);
  let config;
  try {
    const response = await fetch(CONFIG_URL, CONFIG_DIGEST ? {} : { cache: "no-cache" });
    if (!response.ok) return bootPanel();
    config = await response.json();
  } catch (err) {
    return bootPanel();
  }
  if (!config || !config.mesh_pack || !Array.isArray(config.structures)) return bootPanel();
  const { css = "", ...params } = config;
  params.mesh_pack = beside(params.mesh_pack);
  params.structures = params.structures.map((s) => (s && s.url ? { ...s, url: beside(s.url) } : s));
  // The server's opt-in test hooks (viewer/app/view3d.py TEST_HOOKS_ENV) come in this script's URL.
  params.test_hooks = new URL(import.meta.url).searchParams.get("hooks") === "1";
  const { model, attach, dispose } = standInModel(params);
  const { holder, el } = placeholder(css);
  let v;
  try {
    v = mountView(model, el);
  } catch (err) {
    holder.remove();
    return bootPanel();
  }
  v.on("shown", bootPanel);
  v.awaitingComponent = true;    // not ready (view/loader.js markReady) until the component adopts it
  Object.assign(v.metrics.marks, marks);
  v.metrics.early = true;
  let adopted = false;
  window.radixEarly = {
    view: v,
    mountView,    // the component mounts any other view with this copy (one three.js on the page)
    // The component's render: take the view over when it shows the same body (else the
    // component mounts its own, and this one is dropped).
    adopt(realModel, target) {
      if (adopted || fileName(realModel.mesh_pack) !== fileName(params.mesh_pack)) {
        if (!adopted) { adopted = true; dispose(); holder.remove(); }
        return false;
      }
      adopted = true;
      v.metrics.marks.adopted = performance.now();
      target.appendChild(v.root);
      holder.remove();
      v.awaitingComponent = false;
      // A story already played in this session is not replayed by the adoption (as on a reload).
      attach(realModel, () => { if (v.loaded) v.story.lastPlay = (realModel.compression || {}).play ?? null; });
      v.resize();
      v.markReady();
      return true;
    },
  };
}

start().catch(bootPanel);
