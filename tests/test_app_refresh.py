"""The order of a refresh after a click in the 3D view (viewer/app/main.py): the highlight's
message first, the info panel, plan card, inputs and link a moment later, and a second half
overtaken by a newer click is skipped. In process, on the synthetic body (no server, no browser)."""

from __future__ import annotations

import pytest

import panel as pn

from viewer.app import main as app_main


class FakeDoc:
    """Stands in for a served session's document: records timeout callbacks instead of running them."""

    session_context = object()

    def __init__(self):
        self.timeouts: list[tuple[object, int]] = []

    def add_timeout_callback(self, callback, timeout_ms):
        self.timeouts.append((callback, timeout_ms))


@pytest.fixture()
def app(synthetic_assets, monkeypatch):
    monkeypatch.setattr(app_main, "bundle_ready", lambda: True)
    return app_main.RadixApp(assets_dir=synthetic_assets)


@pytest.fixture()
def doc(monkeypatch):
    """Make the code under test see a served session (no URL bar: ``pn.state.location`` is None)."""
    fake = FakeDoc()
    monkeypatch.setattr(type(pn.state), "curdoc", property(lambda self: fake))
    monkeypatch.setattr(type(pn.state), "location", property(lambda self: None))
    return fake


def _pick(app, acronym, seq):
    s = app.data.atlas.get(acronym)
    app.view.picked = {"kind": "structure", "id": s.id, "acronym": acronym, "seq": seq}


def test_without_a_server_a_pick_updates_view_and_panel_at_once(app):
    _pick(app, "gluteus_medius_left", "s1")
    assert app.view.structure_styles["seq"] == "s1"
    assert "Gluteus medius" in app.info.content
    assert app.search.value == "Gluteus medius"


def test_in_a_session_the_panel_follows_the_highlight(app, doc):
    before = app.info.content
    _pick(app, "gluteus_medius_left", "s1")
    # The view's message is out; the panel is not redrawn yet, but scheduled shortly after.
    assert app.view.structure_styles["seq"] == "s1"
    assert app.state.muscle == "gluteus_medius"
    assert app.info.content == before and app.search.value == ""
    assert [ms for _, ms in doc.timeouts] == [app_main.PANEL_AFTER_VIEW_MS]
    doc.timeouts.pop()[0]()
    assert "Gluteus medius" in app.info.content and app.search.value == "Gluteus medius"


def test_a_panel_refresh_overtaken_by_a_newer_click_is_skipped(app, doc, monkeypatch):
    drawn = []
    refresh_info = app._refresh_info
    monkeypatch.setattr(app, "_refresh_info", lambda scene, *a: drawn.append(scene.primary) or refresh_info(scene, *a))
    _pick(app, "gluteus_medius_left", "s1")
    _pick(app, "quadratus_lumborum_left", "s2")
    first, second = (cb for cb, _ in doc.timeouts)
    second()
    assert "Quadratus lumborum" in app.info.content
    first()                                  # overtaken: the first click's second half does no work
    assert len(drawn) == 1
    assert "Quadratus lumborum" in app.info.content and "Gluteus medius" not in app.info.content
    assert app.view.structure_styles["seq"] == "s2"
