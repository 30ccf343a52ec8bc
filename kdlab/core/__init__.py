"""What every experiment shares, and nothing else: bounded parameters, the job time budget,
JSON results, seed statistics, torch's thread and seed settings, source lookup, the UI's words.

Nothing here imports from the families above it (classic, deep, distill, shop, rl, practice).
"""
