"""One page per live experiment (pages/demos/<demo id>.py).

Each module offers `render()`, the full lab, and `compact()`, the small panel a question
page shows between its task and its model answer: the experiment at its defaults, the one
or two controls that carry the question's point, the key plot and a link to the full lab.
"""
