"""Practice: the learner's store in the sidebar, the mock interview, the progress page."""
