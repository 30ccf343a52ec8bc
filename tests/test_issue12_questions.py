"""The questions issue 12 links to its experiments: each opens in both languages with the experiment's compact
panel (its numbers from the same cached run as the full page) and the tested source the front matter names."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.i18n import catalog
from kdlab.core.source import find_source
from kdlab.practice.bank import load_bank

APP = str(Path(__file__).resolve().parent.parent / "app.py")
QUESTIONS = {
    "p05-neural-network": "playground",
    "p19-gradient-descent": "optimizers",
    "c14-optimizers": "optimizers",
    "p18-adversarial-attack": "adversarial",
    "p12-data-augmentation": "augment",
    "c17-data-augmentation": "augment",
    "p10-transfer-learning": "transfer",
    "c15-transfer-learning": "transfer",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("qid", list(QUESTIONS))
def test_question_links_its_experiment_and_shows_its_source(qid, lang):
    demo = QUESTIONS[qid]
    q = load_bank().get(qid, lang)
    assert q.demo == demo and q.source
    assert all("```python" not in text for text in q.sections.values())  # the tested source replaced hand-written code
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash(qid)
    at.run()
    assert not at.exception, at.exception
    assert catalog(lang)[f"{demo}.compact_look"] in [c.value for c in at.caption]
    at.session_state[f"reveal_{qid}"] = True  # what the "show the model answer" button sets
    at.run()
    assert not at.exception, at.exception
    shown = [c.value for c in at.code]
    for ref in q.source:
        assert find_source(ref) in shown
