"""``python -m sim.cli``: the same as the ``trilat`` command."""

from sim.cli import main

raise SystemExit(main())
