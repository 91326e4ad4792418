"""Radix app entry point: ``panel serve app.py --static-dirs meshes=assets/meshes``, or with
gzip-compressed responses ``python -m viewer.app.serve app.py --static-dirs meshes=assets/meshes``.

Builds the page and nothing else (see ``viewer/app/main.py``). The assets folder is
``$RADIX_ASSETS`` or the project's ``assets/``; build the 3D view once with
``python -m viewer.app.setup``.
"""

from viewer.app.main import RadixApp
from viewer.app.serve import enable_websocket_nodelay, keep_values_out_of_logs, without_unasked_mathjax

enable_websocket_nodelay()   # once per server process (a click's answer is not held back 40 ms)
keep_values_out_of_logs()    # a plan's notes never reach the server's log, even at debug level
without_unasked_mathjax()    # no 1.8 MB MathJax bundle on a page that shows no TeX

RadixApp().servable(title="Radix")
