"""The gallery's command line: ``--help`` explains and renders nothing (it once took ``--help`` as
the output folder and rendered the whole gallery into it); an unknown option is refused."""

from __future__ import annotations

import pytest

from viewer.render import gallery


@pytest.mark.parametrize("args, code", [(["--help"], 0), (["--pelvic"], 2), (["--vertebrae", "--muscles"], 2)])
def test_options_are_parsed_before_anything_is_drawn(args, code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        gallery.main(args)
    assert stop.value.code == code
    assert list(tmp_path.iterdir()) == []            # no folder made, nothing rendered
    out = capsys.readouterr()
    assert "usage: python -m viewer.render.gallery" in (out.out if code == 0 else out.err)
