"""KD Lab's pages: modules with a `render` function, registered by app.py through st.navigation.

    home.py, question.py, mock.py, progress.py   the pages
    demos/<id>.py                                 one page per live experiment (and its compact panel)
    common.py, practice.py                        language, bank, links; the learner's store

app.py calls st.navigation, so Streamlit never lists these files itself. Nothing here runs at
import time.
"""
