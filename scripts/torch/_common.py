"""Helpers shared by the PyTorch drivers (our own code; the official code is imported from --official)."""
import json
import os
import sys
import time


def setup(official_dir, threads=1):
    """Put the official repository first on sys.path and pin torch to `threads` threads."""
    sys.path.insert(0, os.path.abspath(official_dir))
    import torch
    torch.set_num_threads(threads)
    return torch


def cpu():
    """Process CPU seconds (user + system), the figure every ratio uses."""
    return time.process_time()


def blas_info():
    """Which OpenBLAS kernel family and thread count torch runs with (threadpoolctl, if installed)."""
    try:
        import threadpoolctl
        return [{k: d.get(k) for k in ('internal_api', 'num_threads', 'architecture', 'version')} for d in threadpoolctl.threadpool_info()]
    except Exception as e:  # threadpoolctl is optional
        return str(e)


def emit(obj):
    """The last stdout line is the JSON result the harness reads."""
    sys.stdout.flush()
    print(json.dumps(obj))
