"""Radix: a 3D atlas linking painful muscles to nerve roots, multifidus and acupuncture points.

Layers (each imports only the layers above it)::

    assets/ -> atlas, knowledge -> selection -> app state -> scene/overlays -> browser

See ``docs/ARCHITECTURE.md`` for the data contracts.
"""

__version__ = "0.1.0"
