"""The Distributed Systems Playground: break and defend a simulated cluster."""

__version__ = "0.1.0"
