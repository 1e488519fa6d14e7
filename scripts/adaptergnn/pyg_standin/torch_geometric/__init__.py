"""Sheaf stand-in for torch_geometric (see _standin.py). Not the real PyG."""
__version__ = '0.0-sheaf-standin'
from . import data, loader, nn, utils  # noqa: E402,F401
