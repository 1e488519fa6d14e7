from .._standin import DataLoader  # noqa: F401
