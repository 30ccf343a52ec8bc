"""Data sets, all offline: 8x8 digits shipped with scikit-learn, MNIST-style IDX files on disk
(`images`), and small seeded tables for regression (`tabular`)."""
