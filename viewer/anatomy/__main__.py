"""``python -m viewer.anatomy build``: regenerate the procedural body."""

import sys

from .build import main

sys.exit(main())
