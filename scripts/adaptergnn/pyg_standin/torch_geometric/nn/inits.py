from .._standin import glorot, zeros  # noqa: F401
