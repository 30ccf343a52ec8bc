"""Import torch through here so threads and seeding are handled on purpose, once.

Streamlit serves each learner's session from its own thread; with several
trainings at once, one torch thread each measured faster on 2 cores than two
each (they otherwise fight over the cores). Override with KDLAB_TORCH_THREADS.
"""

import os
import threading
from contextlib import contextmanager

import torch
import torch._dynamo  # Adam imports it on first use (~1 s); pay that once, at import

torch.set_num_threads(int(os.environ.get("KDLAB_TORCH_THREADS", "1")))

_init_lock = threading.Lock()


@contextmanager
def seeded(seed: int):
    """Deterministic weight init while other sessions build models at the same time.

    nn.Module initialisers draw from torch's one global generator; the lock keeps two
    threads from interleaving their draws, fork_rng leaves the global state as it was.
    """
    with _init_lock, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


__all__ = ["seeded", "torch"]
