"""Import torch through here so the thread count is set on purpose, once.

Streamlit serves each learner's session from its own thread; with several
trainings at once, one torch thread each measured faster on 2 cores than two
each (they otherwise fight over the cores). Override with KDLAB_TORCH_THREADS.
"""

import os

import torch

torch.set_num_threads(int(os.environ.get("KDLAB_TORCH_THREADS", "1")))

__all__ = ["torch"]
