"""Grid Dispatch Console: the district grid-management command center's desktop console."""

__version__ = "0.1.0"
