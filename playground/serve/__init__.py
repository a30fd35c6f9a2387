"""Workshop serving: the game over SSH and the web."""
