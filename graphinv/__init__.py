"""graphinv: investigate extremist online networks as a graph."""

__version__ = "0.1.0"
