"""The floor of any Panel page, for ``bench/bench_limit.py``: Panel's Fast list template (as
Radix's page) with one text box and one HTML pane, served by ``python -m viewer.app.serve`` as
Radix is. Its JS heap is what Bokeh's and Panel's own JavaScript takes before an app adds anything."""

import panel as pn

pn.template.FastListTemplate(title="Panel floor", sidebar=[pn.widgets.TextInput(name="Find")],
                             main=[pn.pane.HTML("<p>Panel's own page, nothing else.</p>")]).servable()
