"""Workshop serving: the game over SSH and the web, one game process per session.

- :mod:`playground.serve.ssh`: ``playground serve ssh`` (asyncssh)
- :mod:`playground.serve.web`: ``playground serve web`` (textual-serve as a library)
- :mod:`playground.serve.child`: a game process on its own pty, and its clean end
- :mod:`playground.serve.launcher`: what runs first in a game process (ctty, signals, limits)
- :mod:`playground.serve.common`: settings, player names, admission limits, the game's env
- :mod:`playground.serve.cli`: the ``serve`` and ``leaderboard`` commands

The leaderboard itself is :mod:`playground.game.leaderboard` (the game writes to it).
"""
