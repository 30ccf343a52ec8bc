"""Practice: the question bank (questions/) and each learner's progress store."""
