"""The info panel as a small Panel ``JSComponent``: HTML from :mod:`viewer.app.info` in, clicks out.

The HTML is built (and escaped) in Python; the browser only shows it and reports clicks on
elements that carry ``data-action`` / ``data-value`` (a muscle, level, root or point link, a quiz
answer). It needs no third-party JavaScript, so it is not part of the three.js bundle.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

from . import info

_ESM = """
export function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "rx-host";
  box.setAttribute("aria-live", "polite");
  let seq = 0;
  let keepScroll = false;
  // New content in one write: no layout is read or forced here (the scroll position is kept by
  // the element itself, and is set back to the top only when it is not there already), so the
  // browser lays the panel out once, in its next frame, not in this task.
  let atTop = true;
  box.addEventListener("scroll", () => { atTop = box.scrollTop === 0; }, { passive: true });
  function show() {
    box.innerHTML = model.content || "";
    if (!keepScroll && !atTop) { box.scrollTop = 0; atTop = true; }
    keepScroll = false;
  }
  box.addEventListener("click", (ev) => {
    const target = ev.target.closest("[data-action]");
    if (!target || !box.contains(target) || target.disabled) return;
    ev.preventDefault();
    seq += 1;
    keepScroll = target.dataset.action === "answer" || target.dataset.action.startsWith("technique_");
    model.action = { action: target.dataset.action, value: target.dataset.value || "", seq };
  });
  model.on("content", show);
  show();
  el.appendChild(box);
}
"""


class InfoPanel(JSComponent):
    """Shows ``content`` (trusted, already escaped HTML) and reports clicks as ``action``.

    Parameters
    ----------
    content : str
        HTML from :mod:`viewer.app.info`.
    action : dict or None
        Written by the browser: ``{action, value, seq}``; ``seq`` is new on every click.
    """

    content = param.String(default="")
    action = param.Dict(default=None, allow_None=True)

    _esm = _ESM
    _stylesheets = [info.CSS]
    _priority_changes = ["action", "data.action"]
