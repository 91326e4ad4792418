"""Pure parts of the plan builder (``viewer/app/plan_ui.py``): the candidates a selection offers,
the plan's markers in the 3D view, the card's HTML (escaped), plan files from the browser, share
links and the handout's progress reports. No browser."""

from __future__ import annotations

import json
import re
from html import escape

import pytest

from viewer.app import plan_ui
from viewer.app.plan_ui import (
    PLAN_COLOUR, Message, _Progress, candidate_codes, candidates, error_lines, link_hash,
    plan_filename, plan_html, plan_markers, read_upload, subject_of, title_for,
)
from viewer.scene import compose_scene, marker_specs
from viewer.plan import Plan, PlanError, add_point, from_share_token, set_item_note, set_note, share_token


@pytest.fixture(scope="module")
def data(synthetic_data):
    return synthetic_data


@pytest.fixture(scope="module")
def k(synthetic_data):
    return synthetic_data.knowledge


@pytest.fixture()
def plan(k):
    p = add_point(Plan(title="Low back"), "BL25", "both", k)
    p = add_point(p, "GV3", "midline", k)
    return add_point(p, "BL26", "left", k)


# --- candidates ------------------------------------------------------------------------------------

def test_a_muscle_offers_its_paraspinal_then_crossing_meridian_points(k):
    scene = compose_scene(k, muscle="gluteus_medius", side="left")
    codes = candidate_codes(scene)
    sel = scene.subject
    paraspinal = [p.code for p in sel.paraspinal]
    assert codes[: len(paraspinal)] == paraspinal
    crossing = {c for m in sel.meridians for c in m.codes} | {p.code for p in sel.local_points}
    assert set(codes) == set(paraspinal) | crossing
    assert len(codes) == len(set(codes))


def test_a_point_card_offers_only_its_point(k):
    scene = compose_scene(k, muscle="gluteus_medius", side="left", point="GB30")
    assert candidate_codes(scene) == ["GB30"]
    assert subject_of(scene) == {"muscle": "gluteus_medius", "side": "left"}


def test_candidates_know_midline_points_and_what_is_planned(k, plan):
    scene = compose_scene(k, level="L4", side="both")
    rows = {c.code: c for c in candidates(scene, k, plan)}
    assert rows, "the level offers points"
    if "GV3" in rows:
        assert rows["GV3"].midline and rows["GV3"].in_plan == "midline"
    for code, c in rows.items():
        assert c.midline == (k.point(code).location.side == "midline")
        assert c.in_plan == {it.code: it.side for it in plan.items}.get(code)


def test_nothing_selected_offers_nothing(k):
    assert candidate_codes(compose_scene(k)) == []
    assert candidate_codes(None) == []
    assert subject_of(None) == {} and title_for(None) is None


def test_default_title_names_the_muscle_and_side(k):
    assert title_for(compose_scene(k, muscle="gluteus_medius", side="left")) == "Gluteus medius, left"
    assert title_for(compose_scene(k, root="L5", side="both")) == "L5 root"


# --- markers -----------------------------------------------------------------------------------------

def test_plan_markers_number_the_plan_and_replace_chain_markers(k, data, plan):
    base = marker_specs(["BL25", "BL26", "EX-B2-L4"], ("left",), data.positions, emphasis="BL25")
    out = plan_markers(plan, data.positions, base)
    planned = [m for m in out if m.get("plan")]
    # BL25 both sides, GV3 midline, BL26 left only: one marker per placed (code, side).
    expected = [(c, s) for c, s in [("BL25", "left"), ("BL25", "right"), ("GV3", "midline"), ("BL26", "left")]
                if (c, s) in data.positions]
    assert [(m["code"], m["side"]) for m in planned] == expected
    assert all(m["color"] == PLAN_COLOUR for m in planned)
    numbers = {m["code"]: m["plan"] for m in planned}
    assert numbers == {"BL25": 1, "GV3": 2, "BL26": 3}
    assert all(m["label"] == f'{m["plan"]} {m["code"]}' for m in planned)
    # A chain marker of a planned (code, side) is replaced, not drawn twice; others stay.
    keys = [(m["code"], m["side"]) for m in out]
    assert len(keys) == len(set(keys))
    assert ("EX-B2-L4", "left") in keys
    # The selected point keeps its emphasis when it is in the plan.
    assert [m for m in planned if m["code"] == "BL25" and m["side"] == "left"][0].get("selected")


def test_plan_markers_in_patient_mode_show_numbers_only(data, plan):
    out = plan_markers(plan, data.positions, (), mode="patient")
    assert out and all(re.fullmatch(r"\d+", m["label"]) for m in out)


def test_no_plan_leaves_the_markers_alone(data):
    base = marker_specs(["BL25"], ("left",), data.positions)
    assert plan_markers(None, data.positions, base) == base
    assert plan_markers(Plan(), data.positions, base) == base


# --- HTML -------------------------------------------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(1)">&"\''


def test_every_text_of_the_plan_is_escaped(k, plan):
    bad = set_note(set_item_note(plan, 0, HOSTILE), HOSTILE)
    bad = Plan(title=HOSTILE, note=bad.note, subject=bad.subject, items=bad.items, created=bad.created)
    msg = Message("error", HOSTILE, (HOSTILE,))
    for mode in ("patient", "student", "practitioner"):
        for read_only in (False, True):
            html = plan_html(bad, k, mode, read_only=read_only, message=msg, share_url="http://x/?plan=" + HOSTILE)
            assert "<img" not in html, (mode, read_only)
            assert 'onerror="' not in html
            assert "&lt;img" in html                 # shown, as text


def test_the_plan_lists_every_caution_of_its_points(k, plan):
    html = plan_html(plan, k, "practitioner")
    box = html[html.index("rx-plan-cautions"):]
    cautions = [c for it in plan.items for c in k.point(it.code).cautions]
    assert cautions, "the fixture plan has cautioned points"
    for c in cautions:
        assert escape(c.text) in box
    # A point without cautions is named as such.
    quiet = [it.code for it in plan.items if not k.point(it.code).cautions]
    for code in quiet:
        assert code in box


def test_read_only_and_patient_views_have_no_editing_controls(k, plan):
    editing = ('data-action="note"', 'data-action="remove"', 'data-action="up"', 'data-action="add"',
               'data-action="clear"', 'data-action="title"', 'data-action="plan_note"')
    for html in (plan_html(plan, k, "practitioner", read_only=True), plan_html(plan, k, "patient")):
        for marker in editing:
            assert marker not in html
    shared = plan_html(plan, k, "practitioner", read_only=True)
    assert 'data-action="copy_shared"' in shared and "read-only" in shared
    full = plan_html(plan, k, "practitioner")
    for marker in editing[:3] + editing[4:]:
        assert marker in full


def test_patient_view_shows_no_codes(k, plan):
    html = plan_html(plan, k, "patient")
    text = re.sub(r"<[^>]+>", " ", html)
    for it in plan.items:
        assert it.code not in text
        assert k.point(it.code).english.split()[0] in text


def test_first_and_last_items_cannot_move_out_of_the_list(k, plan):
    html = plan_html(plan, k, "practitioner")
    assert re.search(r'data-action="up"[^>]*data-index="0"[^>]*disabled', html)
    last = len(plan.items) - 1
    assert re.search(rf'data-action="down"[^>]*data-index="{last}"[^>]*disabled', html)


# --- files and links --------------------------------------------------------------------------------

def test_a_broken_upload_names_file_record_and_field(k):
    doc = {"format": "radix-plan", "version": 1, "items": [{"code": "BL25", "side": "both"},
                                                            {"code": "BL26", "side": "sideways"}]}
    with pytest.raises(PlanError) as err:
        read_upload("../../etc/old.json", json.dumps(doc).encode(), k)
    assert err.value.file == "old.json"            # the name only, never a path from the browser
    assert err.value.record == "BL26 (index 1)" and err.value.field == "side"
    lines = error_lines(err.value)
    assert lines and lines[0].startswith("old.json: record ")


def test_an_upload_too_large_or_not_json_is_refused(k):
    with pytest.raises(PlanError, match="too large"):
        read_upload("big.json", b" " * (plan_ui.MAX_UPLOAD_BYTES + 1), k)
    with pytest.raises(PlanError, match="not valid JSON"):
        read_upload("x.json", b"{", k)
    with pytest.raises(PlanError, match="UTF-8"):
        read_upload("x.json", b"\xff\xfe{", k)


def test_error_lines_are_capped():
    from viewer.knowledge import KnowledgeError

    err = PlanError([KnowledgeError("p.json", f"item {i}", "code", "bad") for i in range(10)])
    lines = error_lines(err, limit=3)
    assert len(lines) == 4 and lines[-1] == "and 7 more problem(s)"


def test_a_share_link_carries_the_plan_in_the_fragment(plan):
    token = share_token(plan)
    assert link_hash(token) == f"#plan={token}" and link_hash(None) == link_hash("") == ""
    assert from_share_token(link_hash(token).split("plan=")[1]).items == plan.items


@pytest.mark.parametrize("title, name", [("Low back, left", "low-back-left.json"), ("", "plan.json"),
                                         ("../../x", "x.json"), ("Ωμέγα", "plan.json")])
def test_file_names_come_from_the_title(title, name):
    assert plan_filename(Plan(title=title), ".json") == name


@pytest.mark.parametrize("args, fraction, text", [
    (("loading the body meshes",), None, "loading the body meshes"),
    (("rendering view 2/4: close-up",), 0.25, "rendering view 2/4: close-up"),
    ((0.5,), 0.5, "Starting…"),
    ((40,), 0.4, "Starting…"),
    ((3, 4, "step"), 0.75, "step"),
])
def test_progress_reports_are_read_in_any_common_form(args, fraction, text):
    p = _Progress()
    p(*args)
    assert p.fraction == fraction and p.text == text


# --- the builder, driven without a browser ----------------------------------------------------------

@pytest.fixture()
def builder(data):
    changes = []
    b = plan_ui.PlanBuilder(data, on_change=lambda: changes.append(1), mode="practitioner")
    b.changes = changes
    b.update(compose_scene(data.knowledge, muscle="gluteus_medius", side="left"), "practitioner", [])
    return b


def _act(b, action, value="", index=None):
    b._on_msg({"action": action, "value": value, "index": "" if index is None else str(index)})


def test_builder_edits_keep_the_store_and_the_view_in_step(builder):
    _act(builder, "add", "BL25|left")
    _act(builder, "add", "BL25|right")
    _act(builder, "add", "GV3|midline")
    assert [(i.code, i.side) for i in builder.plan.items] == [("BL25", "both"), ("GV3", "midline")]
    assert builder.plan.subject == {"muscle": "gluteus_medius", "side": "left"}
    assert builder.plan.title == "Gluteus medius, left" and builder.plan.created
    stored = json.loads(builder.store.value)
    assert [(i["code"], i["side"]) for i in stored["items"]] == [("BL25", "both"), ("GV3", "midline")]
    assert len(builder.changes) == 3                      # each change of the points redraws the view
    _act(builder, "note", "gentle", 0)
    assert builder.plan.items[0].note == "gentle" and len(builder.changes) == 3   # a note does not
    _act(builder, "down", index=0)
    assert [i.code for i in builder.plan.items] == ["GV3", "BL25"]
    _act(builder, "remove", index=5)                      # a stale index: a message, no crash
    assert builder._message.kind == "error" and len(builder.plan.items) == 2


def test_builder_clear_and_undo(builder):
    _act(builder, "add_all")
    before = builder.plan
    assert len(before.items) == len(candidate_codes(builder._scene))
    _act(builder, "clear")
    assert builder.plan.items == () and builder.store.value == ""
    _act(builder, "undo")
    assert builder.plan == before and json.loads(builder.store.value)["items"]


def test_builder_keeps_the_plan_when_a_file_is_broken(builder):
    from types import SimpleNamespace

    _act(builder, "add", "BL25|both")
    before = builder.plan
    builder.open.filename = "old.json"
    builder._on_open(SimpleNamespace(new=b'{"format": "radix-plan", "version": 1, "items": [{"code": "XX1"}]}'))
    assert builder.plan == before
    assert builder._message.kind == "error" and any("old.json" in line for line in builder._message.lines)
    assert "unchanged" in builder._message.title


def test_builder_shared_plan_is_read_only_until_copied(builder, k):
    shared = add_point(Plan(title="Shared"), "BL26", "left", k)
    assert builder.read_url({"plan": share_token(shared)}) == []
    assert builder.read_only and builder.shown.items == shared.items
    assert builder.link_fragment() == "#plan=" + share_token(shared)
    _act(builder, "add", "BL25|both")                     # ignored: the shared plan is read-only
    assert builder.plan.items == () and builder.shown == shared
    _act(builder, "copy_shared")
    assert not builder.read_only and builder.plan.items == shared.items
    assert builder.link_fragment() == ""


def test_builder_share_url_puts_the_plan_after_the_hash(builder):
    _act(builder, "add", "BL25|both")
    _act(builder, "note", "Mrs Example, 3rd visit", 0)
    _act(builder, "share")
    url = builder._share_url
    assert "?" not in url and url.startswith("#plan=")      # no query: nothing a server receives
    assert from_share_token(url.split("#plan=")[1]).items[0].note == "Mrs Example, 3rd visit"


def test_builder_opens_the_fragment_token_the_page_sends(builder, k):
    from types import SimpleNamespace

    shared = add_point(Plan(title="Shared"), "BL26", "left", k)
    changes = len(builder.changes)
    builder._on_link(SimpleNamespace(new=share_token(shared)))
    assert builder.read_only and builder.shown.items == shared.items and len(builder.changes) == changes + 1
    builder._on_link(SimpleNamespace(new=""))              # the fragment was removed: back to my plan
    assert not builder.read_only
    builder._on_link(SimpleNamespace(new="not-a-plan"))    # a damaged token: a message, no shared plan
    assert not builder.read_only and builder._message.kind == "error"
    assert "could not be opened" in builder._message.title


def test_builder_forget_this_device_empties_the_plan_without_undo(builder):
    sent = []
    builder.store._send_msg = sent.append
    _act(builder, "add", "BL25|both")
    _act(builder, "forget")
    assert builder.plan.items == () and builder.store.value == "" and builder._undo is None
    assert sent == [{"forget": True}]
    assert 'data-action="forget"' in builder.panel.content and 'data-action="undo"' not in builder.panel.content


def test_builder_bad_token_is_a_note_not_a_crash(builder):
    notes = builder.read_url({"plan": "not-a-plan<script>"})
    assert len(notes) == 1 and "could not be opened" in notes[0]
    assert not builder.read_only


def _run(coro) -> None:
    """Run a coroutine to the end on its own loop (in a thread: a browser test in the same
    process may have left an event loop running in this one)."""
    import asyncio
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:   # re-raised below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    if errors:
        raise errors[0]


def test_handout_failure_is_shown_and_the_button_comes_back(builder, monkeypatch):
    _act(builder, "add", "BL25|both")

    def broken(*args, **kwargs):
        raise RuntimeError("no OpenGL context")

    monkeypatch.setattr(plan_ui, "render_handout", broken)
    _run(builder._on_handout(None))
    assert "could not be made" in builder.status.object and "no OpenGL context" in builder.status.object
    assert not builder.handout.disabled and not builder.progress.visible


def test_handout_success_sends_the_pdf(builder, monkeypatch):
    _act(builder, "add", "BL25|both")
    sent = []

    def fake(plan, knowledge, assets_dir, audience, progress):
        progress("rendering view 1/2: whole body")
        return b"%PDF-1.4 fake"

    monkeypatch.setattr(plan_ui, "render_handout", fake)
    monkeypatch.setattr(builder.panel, "send_download", lambda *a: sent.append(a))
    builder.audience.value = "practitioner"
    _run(builder._on_handout(None))
    assert sent and sent[0][0] == "gluteus-medius-left-practitioner.pdf" and sent[0][1].startswith(b"%PDF")
    assert "Handout ready" in builder.status.object


def test_builder_adds_techniques_with_undo_and_edits_them(builder):
    builder.add_technique("cupping_l1_l5", "left")
    assert [(t.id, t.side, t.setting) for t in builder.plan.techniques] == [("cupping_l1_l5", "left", "session")]
    assert builder.plan.title == "Gluteus medius, left"          # the first addition names the plan
    assert builder._message.undo and "Added" in builder._message.title
    assert json.loads(builder.store.value)["techniques"][0]["id"] == "cupping_l1_l5"
    _act(builder, "undo")
    assert builder.plan.techniques == () and builder.store.value == ""
    builder.add_technique("cupping_l1_l5", "both")
    builder.add_technique("stretch_lateral_hip", "left")
    _act(builder, "t_up", index=1)
    assert [t.id for t in builder.plan.techniques] == ["stretch_lateral_hip", "cupping_l1_l5"]
    _act(builder, "t_setting", "both", 0)                          # a stretch may be done at home
    assert builder.plan.techniques[0].setting == "both"
    _act(builder, "t_setting", "home", 1)                          # cupping may not: a message, no change
    assert builder._message.kind == "error" and builder.plan.techniques[1].setting == "session"
    _act(builder, "t_note", "3 holds", 0)
    assert builder.plan.techniques[0].note == "3 holds"
    html = plan_html(builder.plan, builder.knowledge, "practitioner")
    assert html.index('data-technique="stretch_lateral_hip"') < html.index('data-technique="cupping_l1_l5"')
    assert "2 techniques" in html or "no points yet, 2 techniques" in html
    _act(builder, "t_remove", index=1)
    assert [t.id for t in builder.plan.techniques] == ["stretch_lateral_hip"]
    builder.update(builder._scene, "patient", [])
    builder.add_technique("cupping_l1_l5", "left")                # patients do not plan
    assert [t.id for t in builder.plan.techniques] == ["stretch_lateral_hip"]
