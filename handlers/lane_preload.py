"""What the lanes' fork server imports once (`multiprocessing`'s forkserver preload, see
`handlers.lanes.lane_context`), so that every child forked from it starts with it loaded.

A lane's child used to be a new interpreter importing the whole bot (~0.9 s and ~1.2 s of CPU) for
each export or report; forked from this server it starts in ~0.07 s. The server itself is started by
the first lane that needs a child, never at `serve`'s start.
"""

import dateparser  # noqa: F401  (loose dates in light commands: bot.dates imports it on first use)
import matplotlib
import matplotlib.figure  # noqa: F401  (the report's chart: bot.render.chart imports it on first use)
import matplotlib.ticker  # noqa: F401

import handlers.lanes  # noqa: F401  (the commands, Bolt-free: handlers.dispatch and everything it runs)

matplotlib.use("Agg")
