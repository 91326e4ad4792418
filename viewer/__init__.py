"""Radix: a 3D atlas linking painful muscles to nerve roots, multifidus and acupuncture points.

Layers (each imports only the layers above it)::

    assets/ -> atlas, knowledge (-> the body build) -> selection -> scene -> renderers -> app

See ``docs/ARCHITECTURE.md`` for the data contracts.
"""

__version__ = "0.1.0"
