"""Sheaf stand-in for torch_scatter: scatter_add only (dim 0)."""
from torch_geometric._standin import scatter_add  # noqa: F401
