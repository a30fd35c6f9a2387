"""`python -m playground` runs the `playground` command."""

from playground.cli import main

raise SystemExit(main())
