"""The procedural body: vertebrae, discs, cord and roots, bones, muscles and skin.

This package is the build step (``python -m viewer.anatomy build``); the app never runs it. It
depends on numpy, scipy, trimesh and manifold3d, never on panel or the browser.
"""
