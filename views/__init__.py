"""KD Lab's pages: modules with a `render` function, registered by app.py through st.navigation.

Not named `pages/`: a folder of that name beside app.py switches Streamlit 1.67 into its legacy
multipage mode, which lists these files as a menu on a fresh server and makes AppTest reruns
come back empty (reproduced with a two-file app). Nothing here runs at import time.
"""
