"""KD Lab: small, readable machine-learning experiments for interview practice.

A library: no Streamlit here. Each experiment is a function of plain parameters
that returns a small result object; `python -m kdlab --help` runs them headless.
"""
