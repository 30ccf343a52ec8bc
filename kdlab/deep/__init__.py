"""Deep learning in PyTorch on the CPU: the CNN on digits."""
