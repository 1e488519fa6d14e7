from .._standin import (GlobalAttention, MessagePassing, Set2Set, global_add_pool,  # noqa: F401
                        global_max_pool, global_mean_pool)
from . import inits  # noqa: F401
