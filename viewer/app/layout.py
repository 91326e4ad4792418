"""The page on tablets and phones: the controls in a drawer, the explanation in a docked sheet.

Desktop (wider than :data:`COMPACT_MAX_WIDTH_PX`) keeps the three columns of
:meth:`viewer.app.main.RadixApp.template`: side bar, 3D view, explanation. At or below that width
(a tablet either way up, a phone, a narrow window):

- the side bar (search, region, level, side, mode, symptoms, layers) becomes a drawer over the
  left of the page, opened and closed by :class:`ControlsToggle` in the header (a labelled button
  with ``aria-expanded``; Escape closes it; choosing something in it closes it);
- the explanation and the plan become a sheet docked beside the view (landscape: a 340-pixel
  column) or under it (portrait: the lower part of the screen), scrolling on its own, so it is
  read without covering the body;
- a phone held sideways (at most :data:`SHORT_MAX_HEIGHT_PX` high) gives the header's height to
  the view too: the drawer's button floats over the view's lower left corner, the title goes;
- on a phone the drawer's button is its icon and the title wraps onto two lines;
- every control is at least :data:`TAP_TARGET_PX` tall (also on any screen whose main pointer is
  a finger), and nothing needs hovering.

Only CSS media queries decide: the page is the same document at every size, so a tablet turned
round re-lays itself out without a round trip to the server.
"""

from __future__ import annotations

import param
from panel.custom import JSComponent

#: Widest viewport (CSS pixels) that gets the compact layout: a tablet held landscape is 1024-1080
#: wide; a desktop window from 1101 up keeps the three columns.
COMPACT_MAX_WIDTH_PX = 1100
#: Smallest height and width of anything tapped on a compact or touch screen (CSS pixels; Apple's
#: and WCAG 2.5.5's 44-pixel target).
TAP_TARGET_PX = 44
#: Width of the explanation's sheet beside the view when the compact screen is landscape.
SHEET_WIDTH_PX = 340
#: Share of the height the view keeps above the sheet when the compact screen is portrait.
VIEW_SHARE_PORTRAIT = 0.62
#: Share of the height the view keeps while the portrait sheet is expanded ("Read more").
SHEET_FULL_VIEW_SHARE = 0.22
#: Height of the header in the compact layout.
COMPACT_HEADER_PX = 52
#: Widest viewport that counts as a phone: the page goes edge to edge.
PHONE_MAX_WIDTH_PX = 600
#: Highest landscape viewport that counts as a phone held sideways (844x390, 932x430): the header
#: gives its height to the view (its one control floats over the view's lower left corner) and
#: the explanation's sheet narrows to :data:`SHEET_WIDTH_SHORT` beside it.
SHORT_MAX_HEIGHT_PX = 500
SHEET_WIDTH_SHORT = "min(340px, 38vw)"

COMPACT = f"(max-width: {COMPACT_MAX_WIDTH_PX}px)"
COMPACT_PORTRAIT = f"(max-width: {COMPACT_MAX_WIDTH_PX}px) and (orientation: portrait)"
PHONE = f"(max-width: {PHONE_MAX_WIDTH_PX}px)"
PHONE_LANDSCAPE = (f"(max-width: {COMPACT_MAX_WIDTH_PX}px) and (max-height: {SHORT_MAX_HEIGHT_PX}px) "
                   "and (orientation: landscape)")
#: Where targets grow to :data:`TAP_TARGET_PX`: the compact layout, or a finger as main pointer.
TOUCH = f"{COMPACT}, (pointer: coarse)"

#: The page's own (light DOM) elements: the Fast template's header, side bar and main area.
PAGE_CSS = f"""
@media {COMPACT} {{
  #header {{ height: {COMPACT_HEADER_PX - 8}px; padding: 4px 8px; gap: 8px; }}
  #sidebar-button, fast-tooltip[anchor="sidebar-button"] {{ display: none; }}
  #header-items {{ order: -1; width: auto; padding-left: 0; flex: 0 0 auto; }}
  .app-header {{ display: flex; min-width: 0; flex: 1 1 auto; overflow: hidden; }}
  .app-header .title {{ font-size: 18px; line-height: 1.3; margin-left: 0; overflow: hidden;
                        text-overflow: ellipsis; }}
  #content {{ position: relative; height: calc(100dvh - {COMPACT_HEADER_PX}px); width: 100%; }}
  #container {{ width: 100%; }}
  #sidebar {{
    position: absolute; top: 0; left: 0; bottom: 0; z-index: 30; box-sizing: border-box;
    width: min(380px, 100%); min-width: 0; max-width: none; height: auto;
    padding: 8px 8px 24px 4px; background: #fff; border-right: 1px solid #cbd5e1;
    box-shadow: 4px 0 18px rgba(15, 23, 42, 0.22); overscroll-behavior: contain;
    transform: translateX(-105%); visibility: hidden;
    transition: transform .2s ease-out, visibility 0s linear .2s;
  }}
  body.rx-controls-open #sidebar {{ transform: none; visibility: visible; transition: transform .2s ease-out; }}
  #main {{ padding: 0 8px; overflow: hidden; }}
  #main .main-margin {{ margin: 0 auto; height: 100%; }}
  #main .card-margin {{ margin: 6px 0; height: calc(100% - 12px); }}
  .fullscreen-button {{ display: none; }}
}}
@media {PHONE} {{
  #main {{ padding: 0; }}
  #main .card-margin {{ margin: 0; height: 100%; }}
  /* the title in two lines beside the drawer's button (an icon there, _TOGGLE_CSS): all of it read */
  .app-header .title {{ font-size: 14px; line-height: 1.2; white-space: normal; display: -webkit-box;
                        -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow-wrap: anywhere; }}
}}
@media {PHONE_LANDSCAPE} {{
  #header {{ position: fixed; top: auto; right: auto; left: 8px; bottom: 8px; width: auto; height: auto;
             padding: 0; background: transparent !important; box-shadow: none; z-index: 40; }}
  #header > :not(#header-items) {{ display: none !important; }}
  #content {{ height: 100dvh; }}
  body.rx-controls-open #header {{ left: calc(min(380px, 100vw) + 8px); }}   /* beside the open drawer */
  #main {{ padding: 0; }}
  #main .card-margin {{ margin: 0; height: 100%; }}
}}
"""

# A check box drawn 22 pixels wide inside its 44-pixel target (the native box does not grow).
_BOX_SVG = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 22 22'%3E"
            "%3Crect x='1' y='1' width='20' height='20' rx='4' fill='white' stroke='%2364748b' stroke-width='2'/%3E"
            "%3C/svg%3E")
_BOX_CHECKED_SVG = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 22 22'%3E"
                    "%3Crect width='22' height='22' rx='5' fill='%230f766e'/%3E%3Cpath d='M5 11.5l4 4 8-9' fill='none' "
                    "stroke='white' stroke-width='2.6' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E")

#: Every component's shadow root (given through the design, :class:`viewer.app.main.LocalFast`):
#: inputs, buttons, check boxes, sliders and the info panel's buttons at least
#: :data:`TAP_TARGET_PX` on compact and touch screens.
TOUCH_CSS = f"""
@media {TOUCH} {{
  .bk-input, select.bk-input, input.bk-input {{ min-height: {TAP_TARGET_PX}px; font-size: 16px; }}
  .bk-btn-group > .bk-btn, .bk-btn {{ min-height: {TAP_TARGET_PX}px; }}
  :host(.bk-Checkbox) {{ display: flex; align-items: center; min-height: {TAP_TARGET_PX}px; }}
  input[type="checkbox"] {{
    appearance: none; -webkit-appearance: none; flex: 0 0 auto; width: {TAP_TARGET_PX}px; height: {TAP_TARGET_PX}px;
    margin: 0 2px 0 -10px; border: 0; border-radius: 8px; cursor: pointer;
    background: center / 22px 22px no-repeat url("{_BOX_SVG}");
  }}
  input[type="checkbox"]:checked {{ background-image: url("{_BOX_CHECKED_SVG}"); }}
  input[type="checkbox"]:focus-visible {{ outline: 2px solid #0f766e; outline-offset: -6px; }}
  .noUi-target {{ margin-top: 12px; margin-bottom: 12px; }}
  .noUi-handle {{ width: {TAP_TARGET_PX}px !important; height: {TAP_TARGET_PX}px !important;
                  top: calc(50% - {TAP_TARGET_PX // 2}px) !important; right: -{TAP_TARGET_PX // 2}px !important;
                  border: 0 !important; border-radius: 50% !important; box-shadow: none !important;
                  background: radial-gradient(circle, #fff 0 11px, #0f766e 11.5px 13px,
                                              transparent 13.5px) !important; }}
  .noUi-handle::before, .noUi-handle::after {{ display: none; }}
  button.rx-chip, .rx-choice, .rx-btn, .rx-btn-quiet {{ min-height: {TAP_TARGET_PX}px; min-width: {TAP_TARGET_PX}px; }}
  .rx-points button.rx-link, .rx-back button.rx-link {{ min-height: {TAP_TARGET_PX}px; }}
  .radix-toolbar {{ gap: 2px; padding: 3px; flex-wrap: wrap; justify-content: flex-end; max-width: calc(100% - 16px); }}
  .radix-btn {{ min-height: {TAP_TARGET_PX}px; min-width: {TAP_TARGET_PX}px; padding: 0 8px; font-size: 13px; }}
}}
@media {COMPACT} {{
  .radix-toolbar {{ top: 8px; right: 8px; }}
  /* the view's own 420-pixel minimum (its element's inline style, and its CSS) */
  :host(.rx-view-cell) > div {{ min-height: 0 !important; }}
  :host .radix-view {{ min-height: 0; }}
}}
@media {PHONE} {{
  .radix-view {{ border-radius: 0; }}
  .radix-btn {{ padding: 0 6px; font-size: 12px; }}
}}
@media {PHONE_LANDSCAPE} {{
  .radix-view {{ border-radius: 0; }}
}}
"""

#: The notice strip over the view: one short line on a compact screen.
NOTICE_CSS = f"""
@media {COMPACT} {{
  .rx-notice-strip {{ padding: 5px 10px; font-size: 12px; }}
  .rx-notice-strip > span:first-child {{ display: none; }}
  .rx-notice-right {{ margin-left: 0; text-align: left; }}
}}
@media {PHONE}, {PHONE_LANDSCAPE} {{
  .rx-notice-strip {{ border-radius: 0; border-width: 0 0 1px 0; padding: 4px 8px; font-size: 11.5px; }}
}}
@media {PHONE_LANDSCAPE} {{
  :host {{ margin-bottom: 0 !important; }}
}}
"""

#: The main column and the row of the view and the explanation's sheet (stylesheet of both; the
#: row's children carry the classes ``rx-view-cell`` and ``rx-sheet``). Panel sizes a layout at
#: least as large as its children's fixed sizes; on a compact screen they shrink instead.
SHEET_CSS = f"""
@media {COMPACT} {{
  :host {{ min-width: 0 !important; min-height: 0 !important; }}
  :host > .rx-sheet {{ flex: 0 0 {SHEET_WIDTH_PX}px !important; width: {SHEET_WIDTH_PX}px !important;
                       min-width: 0 !important; min-height: 0 !important; margin-left: 8px !important; }}
  :host > .rx-view-cell {{ min-height: 0 !important; min-width: 0 !important; }}
}}
@media {COMPACT_PORTRAIT} {{
  :host {{ flex-direction: column !important; }}
  :host > .rx-view-cell {{ flex: 0 0 {VIEW_SHARE_PORTRAIT * 100:.0f}% !important;
                           height: {VIEW_SHARE_PORTRAIT * 100:.0f}% !important; width: 100% !important; }}
  :host > .rx-sheet {{ flex: 1 1 0 !important; width: 100% !important; height: auto !important;
                       min-height: 0 !important; margin: 8px 0 0 0 !important; }}
  /* "Read more" (SheetToggle): the explanation takes most of the height, the view keeps a strip */
  :host > .rx-view-cell:has(+ .rx-sheet-full) {{ flex: 0 0 {SHEET_FULL_VIEW_SHARE * 100:.0f}% !important;
                                                height: {SHEET_FULL_VIEW_SHARE * 100:.0f}% !important; }}
}}
@media {PHONE} {{
  :host > .rx-sheet {{ border-radius: 0 !important; border-width: 1px 0 0 0 !important;
                       margin-top: 0 !important; }}
}}
@media {PHONE_LANDSCAPE} {{
  :host > .rx-sheet {{ flex: 0 0 {SHEET_WIDTH_SHORT} !important; width: {SHEET_WIDTH_SHORT} !important;
                       margin-left: 0 !important; border-radius: 0 !important; border-width: 0 0 0 1px !important; }}
}}
"""

_TOGGLE_ESM = """
export function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = model.button_class;
  if (model.target) button.setAttribute("aria-controls", model.target);
  const icon = document.createElement("span");
  icon.className = "rx-drawer-icon";
  icon.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  text.className = "rx-drawer-text";
  button.append(icon, text);
  function sync() {
    const open = Boolean(model.open);
    button.setAttribute("aria-expanded", String(open));
    const named = open && model.target;   // "Close" alone does not say what it closes
    if (named) button.setAttribute("aria-label", `${model.close_label} ${model.open_label.toLowerCase()}`);
    else button.removeAttribute("aria-label");
    icon.textContent = open ? model.close_icon : model.open_icon;
    text.textContent = open ? model.close_label : model.open_label;
    if (model.body_class) document.body.classList.toggle(model.body_class, open);
  }
  function set(open) {
    model.open = open;
    sync();
  }
  button.addEventListener("click", () => set(!model.open));
  const onKey = (ev) => {
    if (ev.key === "Escape" && model.open) { set(false); button.focus(); }
  };
  document.addEventListener("keydown", onKey);
  model.on("open", sync);
  model.on("remove", () => document.removeEventListener("keydown", onKey));
  sync();
  el.appendChild(button);
}
"""

_TOGGLE_CSS = f"""
:host {{ display: none; }}
@media {COMPACT} {{ :host {{ display: block; }} }}
.rx-drawer-toggle {{
  display: inline-flex; align-items: center; gap: 8px; min-height: {TAP_TARGET_PX}px; min-width: {TAP_TARGET_PX}px;
  padding: 0 14px 0 12px; border: 1px solid rgba(255, 255, 255, 0.55); border-radius: 10px;
  background: rgba(255, 255, 255, 0.12); color: #fff; cursor: pointer; white-space: nowrap;
  font: 600 15px/1 "Inter", "Segoe UI", system-ui, sans-serif;
}}
.rx-drawer-toggle[aria-expanded="true"] {{ background: #fff; color: #134e4a; }}
.rx-drawer-toggle:focus-visible {{ outline: 3px solid #99f6e4; outline-offset: 2px; }}
.rx-drawer-icon {{ font-size: 18px; width: 18px; text-align: center; }}
/* A phone: the button is its icon (the title needs the width); its words stay its name. */
@media {PHONE} {{
  .rx-drawer-toggle {{ padding: 0; justify-content: center; }}
  .rx-drawer-text {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
                     white-space: nowrap; }}
}}
/* A phone held sideways: the button floats over the view, on the header's colour. */
@media {PHONE_LANDSCAPE} {{
  .rx-drawer-toggle:not([aria-expanded="true"]) {{ background: #134e4a; box-shadow: 0 2px 8px rgba(15, 23, 42, 0.35); }}
}}
"""


class ControlsToggle(JSComponent):
    """The header button that opens and closes the controls' drawer on a compact screen (hidden
    on desktop, where the side bar is always shown).

    It puts ``body_class`` on the page's ``<body>`` while open (the drawer's CSS, :data:`PAGE_CSS`,
    keys on it) and keeps ``aria-expanded`` and its label in step. Escape closes it.

    Parameters
    ----------
    open : bool
        Whether the drawer is open; Python closes it after a choice made in it.
    target : str
        The id of the element it controls (``aria-controls``): the template's ``sidebar``.
    """

    open = param.Boolean(default=False)
    target = param.String(default="sidebar", constant=True)
    body_class = param.String(default="rx-controls-open", constant=True)
    open_label = param.String(default="Search & layers", constant=True)
    close_label = param.String(default="Close", constant=True)
    button_class = param.String(default="rx-drawer-toggle", constant=True)
    open_icon = param.String(default="\u2630", constant=True)     # three bars
    close_icon = param.String(default="\u2715", constant=True)    # a cross

    _esm = _TOGGLE_ESM
    _stylesheets = [_TOGGLE_CSS]


_SHEET_TOGGLE_CSS = f"""
:host {{ display: none; }}
@media {COMPACT_PORTRAIT} {{ :host {{ display: block; }} }}
.rx-sheet-toggle {{
  display: flex; width: 100%; align-items: center; justify-content: center; gap: 8px;
  min-height: {TAP_TARGET_PX}px; padding: 0 12px; border: 0; border-bottom: 1px solid #e2e8f0;
  border-radius: 10px 10px 0 0; background: #f8fafc; color: #0f5f59; cursor: pointer;
  font: 600 14px/1 "Inter", "Segoe UI", system-ui, sans-serif;
}}
.rx-sheet-toggle:focus-visible {{ outline: 2px solid #0f766e; outline-offset: -3px; }}
.rx-drawer-icon {{ font-size: 13px; }}
"""


class SheetToggle(ControlsToggle):
    """The bar on top of the explanation's sheet on a portrait tablet or phone: "Read more" lets
    the explanation take most of the height (the view keeps a strip), "Show the body" docks it
    again. Python moves the sheet (``rx-sheet-full`` on its column, :data:`SHEET_CSS`)."""

    target = param.String(default="", constant=True)
    body_class = param.String(default="", constant=True)
    open_label = param.String(default="Read more", constant=True)
    close_label = param.String(default="Show the body", constant=True)
    button_class = param.String(default="rx-sheet-toggle", constant=True)
    open_icon = param.String(default="\u25b2", constant=True)     # up
    close_icon = param.String(default="\u25bc", constant=True)    # down

    _stylesheets = [_SHEET_TOGGLE_CSS]
