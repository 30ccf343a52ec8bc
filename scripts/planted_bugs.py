"""Plant issue 18's bugs one at a time and check that a named test catches each.

    python scripts/planted_bugs.py

Each bug is a one-line change a reviewer planted (a file without `title:` loading as "None", WAPE over
the forecast, the training MSE shown as the test MSE, the gain's sign flipped, the confusion matrix
transposed, self-grading always counted correct, Q-learning ignoring gamma). The file is restored after each run, also on failure.
A script, not a test: it runs pytest once per bug (about a minute in all).
"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
plants = [
 ("kdlab/practice/bank.py", "if problems and (qid is None or kind not in KINDS or not title):", "if problems and (qid is None or kind not in KINDS):", "required_field"),
 ("kdlab/shop/demand.py", '"wape": float(err.sum() / y.sum()),', '"wape": float(err.sum() / pred.sum()),', "demand_scores"),
 ("pages/demos/regression.py", 'm[0].metric(t("regression.test_mse"), "—" if r.test_mse is None else f"{r.test_mse:.4g}")', 'm[0].metric(t("regression.test_mse"), "—" if r.test_mse is None else f"{float(np.mean((r.X_train @ r.w + r.b - r.y_train) ** 2)):.4g}")', "regression_page"),
 ("pages/demos/distill.py", 'delta=f"{r.gain:+.1%}"', 'delta=f"{-r.gain:+.1%}"', "gain_sign"),
 ("kdlab/deep/cnn.py", "confusion=confusion_matrix(split.y_test, pred,", "confusion=confusion_matrix(pred, split.y_test,", "confusion"),
 ("pages/bank/question.py", "covered = 2 * ticked >= len(q.key_points)", "covered = True", "self_grade"),
 ("kdlab/rl/qlearning.py", "Q[s][a] += alpha * (r + gamma * max(Q[s2]) - Q[s][a])", "Q[s][a] += alpha * (r + max(Q[s2]) - Q[s][a])", "discounted or value_iteration"),
]
for path, old, new, sel in plants:
    p = ROOT / path
    s = p.read_text()
    if old not in s:
        print(f"{path}: the line to change is not there any more: {old[:60]}")
        continue
    p.write_text(s.replace(old, new, 1))
    try:
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_oracles.py", "-k", sel]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
        last = out.stdout.strip().splitlines()[-1]
        print(f"{path}: planted -> {'CAUGHT' if out.returncode else 'MISSED'} ({last})")
    finally:
        p.write_text(s)
