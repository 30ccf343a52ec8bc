"""Open every demo page in headless Chromium, move every control on it, and take screenshots.

    python scripts/control_sweep.py                      # every demo, its own server
    python scripts/control_sweep.py --demo gan tree      # some demos
    python scripts/control_sweep.py --url http://127.0.0.1:8501 --demo pca
    python scripts/control_sweep.py --questions             # every question page with a live panel
    python scripts/control_sweep.py --questions p02 e03     # some question pages (ids or prefixes)

For each demo and each language (zh, en) at 1280x720, and at 1440x900 in one language (zh for the
registry's 1st, 3rd, ... demo, en for the others): open /demo-<id>?lang=<lang>, wait until the run
is over and the charts are drawn, take a screenshot; then move every control on the page to
another valid value, in page order: a slider one step (ArrowRight, or ArrowLeft at its end), a
select box to another option, a radio, segmented control or toggle to another choice, a number
input one step, a text area edited (the Q-learning grid: one '.' painted '#'), each button pressed
once, each tab and popover opened, expanders holding controls opened; the controls of a form are all
changed and then its submit button pressed once (one training per form). A CSV upload panel gets a
small generated CSV last. After each step: no exception box, no console error (the two 404 probes
tests/e2e/conftest.py expects are ignored), and something the learner sees (a metric, a chart's
data, an image, the text) changed; every text on the page is searched for rounding noise
(0.30000000000000004). The "reproduce" expanders are opened before the last screenshot.

Screenshots (whole page: the window grown to the page's height, as tests/e2e does) and a JSON log of
every step go to artifacts/sweep/<demo>/ (artifacts/ is git-ignored). The table at the end: demo x
language x width: controls found, moved, runs (script runs that trained or redrew after a submit,
a button or a control), seconds, problems. Each wait is bounded by --step-timeout, each page by
--page-timeout (then the rest of its controls are left, and the table says so).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from appserver import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, IDLE, running_app  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from kdlab.demos import DEMOS  # noqa: E402

OUT = ROOT / "artifacts" / "sweep"
# As tests/e2e/conftest.py: Streamlit's frontend probes <page>/_stcore/health and host-config on the
# page's own path first (404), then the root; those two 404s are expected, every other error is not.
STREAMLIT_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^?#]+/_stcore/(health|host-config)$")
FAILED_RESOURCE_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"
NOISE = re.compile(r"\d\.\d*?(?:0{6,}|9{6,})[1-9]\d*")  # 0.30000000000000004, 0.21999999999999997
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]+")
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z]{2,}(?:[ ,-]+[A-Za-z][a-z]+){2,}")  # three words or more

# Demos whose data (not their interface) is in both languages: the RNN's product reviews, in
# English and Chinese by default, show Chinese tokens on the English page by design.
DATA_IN_BOTH_LANGUAGES = {"rnn"}

# The CSV upload's select boxes (write_csv's columns), in the order the sweep moves them: the y
# feature to the unused column, the x feature to the freed one, then the target from the last
# column (the default) to the other; on the metrics lab, the score to x3 and the user column on.
UPLOAD_CHOICES = {"_upload_x2": "x3", "_upload_x1": "x2", "_upload_target": "label",
                  "_upload_score": "x3", "_upload_user": "user"}  # fmt: skip

# Every control the sweep knows, by Streamlit's data-testid; the element it acts on is found again
# before each step (the page reruns and redraws between steps).
CONTROLS = ("stSlider", "stSelectbox", "stRadio", "stButtonGroup", "stCheckbox", "stNumberInput",
            "stTextArea", "stTextInput", "stMultiSelect", "stFileUploader", "stButton", "stPopover")  # fmt: skip

# Finds the visible controls in the main area (and in an open popover), tags each with
# data-sweep-id, and returns what the sweep needs to know about it.
ENUMERATE = """(kinds) => {
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
                       && getComputedStyle(e).visibility !== 'hidden';
  const roots = Array.from(document.querySelectorAll("[data-testid=stMain], [data-testid=stPopoverBody]"));
  const forms = Array.from(document.querySelectorAll("[data-testid=stMain] [data-testid=stForm]"));
  const out = [];
  const seen = {};
  const label = e => {
    const l = e.querySelector('[data-testid=stWidgetLabel]');
    if (l && l.innerText.trim()) return l.innerText.trim();
    const b = e.querySelector('button, [role=combobox], input, textarea');
    return ((b && (b.innerText || b.getAttribute('aria-label'))) || e.innerText || '').trim().slice(0, 60);
  };
  const value = (kind, e) => {
    if (kind === 'stSlider') return Array.from(e.querySelectorAll('input[type=range]'))
        .map(i => i.getAttribute('aria-valuetext') || i.value).join(' - ');
    if (kind === 'stSelectbox') { const i = e.querySelector('[role=combobox]'); return i ? i.value : ''; }
    if (kind === 'stRadio') return Array.from(e.querySelectorAll('input[type=radio]'))
        .findIndex(i => i.checked).toString();
    if (kind === 'stButtonGroup') return Array.from(e.querySelectorAll('button'))
        .map(b => b.getAttribute('aria-checked') === 'true' || b.getAttribute('data-selected') === 'true' ? '1' : '0').join('');
    if (kind === 'stCheckbox') { const i = e.querySelector('input'); return i && i.checked ? 'on' : 'off'; }
    if (kind === 'stNumberInput' || kind === 'stTextInput') { const i = e.querySelector('input'); return i ? i.value : ''; }
    if (kind === 'stTextArea') { const i = e.querySelector('textarea'); return i ? i.value : ''; }
    if (kind === 'stMultiSelect') return e.innerText;
    return '';
  };
  const tabOf = e => {
    const panel = e.closest('[role=tabpanel]');
    return panel ? (panel.getAttribute('aria-labelledby') || '') : '';
  };
  for (const root of roots) {
    for (const tab of root.querySelectorAll('[data-testid=stTabs] [role=tab]')) {
      if (!visible(tab)) continue;
      const id = 'tab|' + tab.innerText.replace(/\\s+/g, ' ').trim();
      tab.setAttribute('data-sweep-id', id);
      out.push({id, kind: 'tab', label: tab.innerText.trim(), value: tab.getAttribute('aria-selected'),
                form: -1, disabled: false, inPopover: false});
    }
    const sel = kinds.map(k => `[data-testid=${k}]`).join(', ');
    for (const e of root.querySelectorAll(sel)) {
      const kind = e.getAttribute('data-testid');
      if (kind === 'stFileUploader' ? !visible(e.closest('[data-testid=stElementContainer]') || e) : !visible(e)) continue;
      if (kind === 'stButton' && e.closest('[data-testid=stPopover]')) continue;
      const container = e.closest('[data-testid=stElementContainer]') || e;
      const key = (container.className.toString().match(/st-key-([\\w-]+)/) || [])[1] || '';
      const form = forms.indexOf(e.closest('[data-testid=stForm]'));
      const lab = label(e).replace(/\\b(expand_more|expand_less|keyboard_arrow_\\w+)\\b/g, '').replace(/\\s+/g, ' ').trim();
      // A popover's label shows the values set inside it: its place names it, not its label.
      const base = key ? 'key|' + key : [kind, kind === 'stPopover' ? '' : lab, form, tabOf(e)].join('|');
      seen[base] = (seen[base] || 0) + 1;
      const id = seen[base] > 1 ? base + '#' + seen[base] : base;
      e.setAttribute('data-sweep-id', id);
      const button = e.querySelector('button');
      // Disabled: its own first input or button (not the label's help button; a number input at
      // its minimum has a disabled "-" button and is still enabled).
      const own = Array.from(e.querySelectorAll('input, textarea, button'))
                       .find(x => !x.closest('[data-testid=stTooltipIcon]'));
      const disabled = !!(own && own.disabled);
      out.push({id, kind, label: lab, value: value(kind, e), form, disabled,
                inPopover: !!e.closest('[data-testid=stPopoverBody]'),
                submit: kind === 'stButton' && !!(button && button.getAttribute('kind') === 'primary')});
    }
    for (const f of root.querySelectorAll('[data-testid=stFormSubmitButton]')) {
      const form = forms.indexOf(f.closest('[data-testid=stForm]'));
      f.setAttribute('data-sweep-id', 'submit|' + form);
      // A form of a button only ("run the three regimes"): its button is the control.
      if (visible(f) && !forms[form].querySelector(sel))
        out.push({id: 'submit|' + form, kind: 'stFormSubmitButton', label: f.innerText.trim(), value: '',
                  form, disabled: !!f.querySelector('button:disabled'), inPopover: false});
    }
  }
  return out;
}"""

# What a learner sees: metrics, the charts' data, images, the text (alerts, captions, markdown, tables).
FINGERPRINT = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const hash = s => { let x = 0; for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) | 0; return x; };
  const arr = a => a == null ? null : (typeof a === 'object' && a.length !== undefined && typeof a !== 'string')
                   ? Array.from(a, arr) : a;
  // A chart's data, and what is drawn as layout: shapes (boxes, lines), annotations, images.
  const layout = p => { const l = p._fullLayout || {};
    return [(l.shapes || []).map(s => [s.type, s.x0, s.y0, s.x1, s.y1, s.path, s.visible]),
            (l.annotations || []).map(a => [a.text, a.x, a.y]), (l.images || []).map(i => [i.source, i.x, i.y])]; };
  const charts = Array.from(main.querySelectorAll('.js-plotly-plot')).map(p => hash(JSON.stringify(
      [(p._fullData || []).map(t => [t.name, arr(t.x), arr(t.y), arr(t.z), arr(t.text), t.visible]), layout(p)])));
  const metrics = Array.from(main.querySelectorAll('[data-testid=stMetric]')).map(m => m.innerText);
  const images = Array.from(main.querySelectorAll('img')).map(i => hash(i.src || ''));
  const inWidget = e => e.closest('[data-testid=stWidgetLabel], [data-testid=stSlider], [data-testid=stForm]');
  const text = Array.from(main.querySelectorAll(
      '[data-testid=stMarkdownContainer], [data-testid=stAlert], [data-testid=stDataFrame], [data-testid=stTable], [data-testid=stCode], .katex'))
    .filter(e => !inWidget(e)).map(e => e.innerText).join('|');
  return {charts, metrics, images, text: hash(text)};
}"""

# Every text of the page a learner reads, including the charts' SVG text and the sliders' values.
TEXTS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const svg = Array.from(main.querySelectorAll('.main-svg text')).map(t => t.textContent);
  const code = Array.from(main.querySelectorAll('[data-testid=stCode], pre, code, .katex, math'));
  const html = main.cloneNode(true);
  html.querySelectorAll('[data-testid=stCode], pre, code, .katex, math, svg, [data-testid=stPlotlyChart]')
      .forEach(e => e.remove());
  return {text: main.innerText, plain: html.textContent, svg, code: code.map(c => c.textContent).join('\\n'),
          alerts: Array.from(main.querySelectorAll('[data-testid=stAlert]')).map(a => a.innerText.trim()),
          values: Array.from(main.querySelectorAll('input[type=range]')).map(i => i.getAttribute('aria-valuetext') || '')};
}"""

CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("[data-testid=stMain] [data-testid=stPlotlyChart]"))
  .filter(c => c.offsetWidth || c.offsetHeight).every(c => c.querySelector('.js-plotly-plot .main-svg'))"""


class StepTimeout(Exception):
    pass


@dataclass
class Sweep:
    """One page in one language at one size: what was found, moved, run, and what went wrong."""

    demo: str
    lang: str
    width: int
    height: int
    path: str = ""  # the page's URL path: demo-<demo> unless a question page (its id)
    found: set = field(default_factory=set)
    moved: set = field(default_factory=set)
    failed: set = field(default_factory=set)  # tried and not moved: not tried again
    single: set = field(default_factory=set)  # select boxes with one option: nothing else to pick
    runs: int = 0
    started: int = 0  # script runs started and finished, counted on the websocket
    finished: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    shots: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # console errors, collected by the page's handler

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def row(self) -> dict:
        return dict(demo=self.demo, lang=self.lang, size=f"{self.width}x{self.height}", found=len(self.found),
                    moved=len(self.moved), runs=self.runs, seconds=round(self.seconds), problems=self.problems)  # fmt: skip


class Page:
    """Drives one Playwright page through one demo page."""

    def __init__(self, page, sweep: Sweep, args, out: Path):
        self.page, self.s, self.args, self.out = page, sweep, args, out
        self.step_ms = int(args.step_timeout * 1000)
        self.choice: tuple[str, str] | None = None  # (from, to) of the last choice moved
        self.modes: dict[str, set] = {}  # mode switches -> the choices visited
        self.deadline = time.monotonic() + args.page_timeout

    # --- waiting ---------------------------------------------------------------------------

    def mark(self) -> tuple[int, int]:
        """The websocket's counts of script runs started and finished so far (before an action)."""
        return self.s.started, self.s.finished

    def settle(self, since: tuple[int, int] | None = None, must_run: bool = False) -> int:
        """Wait for the script runs an action started (if any; `must_run`: at least one) to finish
        and the charts to be drawn; returns how many runs finished since `since` (the counts
        before the action)."""
        t0 = time.monotonic()
        if since is not None:
            # A run starts within a moment of the action; then wait for it (and any run it starts) to end.
            while self.s.finished <= since[1] or self.s.started > self.s.finished:
                waited = time.monotonic() - t0
                if not must_run and self.s.started <= since[0] and self.s.finished <= since[1] and waited > 3:
                    break  # nothing ran
                if waited > self.args.step_timeout:
                    raise StepTimeout(f"the run did not finish within {self.args.step_timeout:.0f} s")
                self.page.wait_for_timeout(150)
        try:
            self.page.wait_for_selector(f"{IDLE}, {EXCEPTION}", timeout=self.step_ms)
        except Exception as err:
            raise StepTimeout(f"not idle after {self.args.step_timeout:.0f} s") from err
        try:
            self.page.wait_for_function(CHARTS_DRAWN, timeout=min(self.step_ms, 60_000))
        except Exception:
            self.s.problem("a chart not drawn within 60 s")
        self.page.wait_for_timeout(500)  # Plotly's redraw after the data arrived
        return 0 if since is None else self.s.finished - since[1]

    def check(self, where: str) -> None:
        boxes = self.page.locator(EXCEPTION)
        if boxes.count():
            first = boxes.first.inner_text().strip().splitlines()
            self.s.problem(f"exception after {where}: {' / '.join(first[:3])}")
        while self.s.errors:
            self.s.problem(f"console error after {where}: {self.s.errors.pop(0)[:200]}")
        texts = self.page.evaluate(TEXTS)
        for blob in (texts["text"], texts["code"], " ".join(texts["svg"]), " ".join(texts["values"])):
            for m in set(NOISE.findall(blob)):
                self.s.problem(f"rounding noise {m!r} on screen after {where}")
        if self.s.lang == "en" and self.s.demo in DATA_IN_BOTH_LANGUAGES:
            note = "Chinese on the English page not checked: the data set has reviews in both languages"
            if note not in self.s.notes:
                self.s.notes.append(note)
        elif self.s.lang == "en":
            for run in set(CJK.findall(texts["plain"] + " " + " ".join(texts["svg"]))):
                self.s.problem(f"Chinese on the English page: {run[:40]!r}")
        else:
            runs = set(ENGLISH_RUN.findall(texts["plain"] + " " + " ".join(texts["svg"])))
            for run in sorted(runs):
                note = f"English words on the Chinese page (check): {run[:60]!r}"
                if note not in self.s.notes:
                    self.s.notes.append(note)
        for alert in texts["alerts"]:
            note = f"alert: {alert[:160]}"
            if note not in self.s.notes:
                self.s.notes.append(note)

    def fingerprint(self) -> dict:
        return self.page.evaluate(FINGERPRINT)

    @staticmethod
    def changed(before: dict, after: dict) -> list[str]:
        return [k for k in ("metrics", "charts", "images", "text") if before[k] != after[k]]

    def what_changed(self, before: dict, seconds: float = 3.0) -> list[str]:
        """What the learner sees that changed since `before`; Plotly redraws a moment after the run
        ended, so look again for a few seconds before saying nothing did."""
        deadline = time.monotonic() + seconds
        while not (what := self.changed(before, self.fingerprint())) and time.monotonic() < deadline:
            self.page.wait_for_timeout(500)
        return what

    # --- screenshots -----------------------------------------------------------------------

    def shot(self, stage: str) -> None:
        """The whole page: Streamlit scrolls inside its main block, so grow the window to its height first."""
        path = self.out / f"{self.s.lang}-{self.s.width}-{stage}.png"
        first = self.out / f"{self.s.lang}-{self.s.width}-{stage}-screen.png"
        self.page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)")
        self.page.screenshot(path=first)  # the first screen, as the learner sees it
        height = self.page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight ?? 0")
        self.page.set_viewport_size({"width": self.s.width, "height": min(max(height, self.s.height), 12000)})
        self.page.wait_for_timeout(800)
        with suppress(Exception):
            self.page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        self.page.screenshot(path=path, full_page=True)
        self.page.set_viewport_size({"width": self.s.width, "height": self.s.height})
        self.page.wait_for_timeout(500)
        self.s.shots += [str(first.relative_to(ROOT)), str(path.relative_to(ROOT))]

    # --- controls --------------------------------------------------------------------------

    def controls(self) -> list[dict]:
        return self.page.evaluate(ENUMERATE, list(CONTROLS))

    def el(self, cid: str):
        return self.page.locator(f"[data-sweep-id={json.dumps(cid, ensure_ascii=False)}]").first

    def move(self, c: dict, avoid: frozenset = frozenset()) -> str | None:
        """Set control c to another valid value (a choice not in `avoid`); returns how, or None if it
        could not be moved. The choice picked is kept in self.choice."""
        e, kind = self.el(c["id"]), c["kind"]
        self.choice = None
        if kind == "stSlider":
            thumb = e.locator("input[type=range]").first
            thumb.focus()
            at_end = thumb.get_attribute("value") == thumb.get_attribute("max")
            key = "ArrowLeft" if at_end else "ArrowRight"
            thumb.press(key)
            return key
        if kind == "stSelectbox":
            box = e.locator("[role=combobox]").first
            current = box.input_value()
            options = self.page.get_by_role("option")
            for attempt in range(3):  # a click during a redraw can leave the list closed
                box.click() if attempt < 2 else box.press("ArrowDown")
                try:
                    options.first.wait_for(timeout=5_000)
                    break
                except Exception:
                    self.page.keyboard.press("Escape")
            else:
                return None
            texts = [options.nth(i).inner_text().strip() for i in range(options.count())]
            others = [i for i, text in enumerate(texts) if text != current and text not in avoid]
            # The upload's columns: each change keeps the choice valid (target and features distinct).
            prefer = next((v for k, v in UPLOAD_CHOICES.items() if c["id"].endswith(k)), None)
            if prefer in texts and prefer != current:
                others = [texts.index(prefer)]
            if not others:
                self.page.keyboard.press("Escape")
                if avoid:
                    return None
                self.s.note(f"select box '{c['label']}' has one option only ({current})")
                self.s.single.add(c["id"])
                return None
            options.nth(others[0]).click()
            self.choice = (current, texts[others[0]])
            return f"{current} -> {texts[others[0]]}"
        if kind == "stRadio":
            options = e.locator("[data-testid=stRadioOption]")
            current = next((options.nth(i).inner_text().strip() for i in range(options.count())
                            if options.nth(i).locator("input").is_checked()), "")  # fmt: skip
            for i in range(options.count()):
                text = options.nth(i).inner_text().strip()
                if text == current or text in avoid:
                    continue
                options.nth(i).click()
                self.choice = (current, text)
                return f"option {i + 1}: {text}"
            return None
        if kind == "stButtonGroup":
            buttons = e.locator("button")
            texts = [buttons.nth(i).inner_text().strip() for i in range(buttons.count())]
            checked = [buttons.nth(i).get_attribute("aria-checked") == "true" for i in range(buttons.count())]
            current = next((text for text, on in zip(texts, checked, strict=True) if on), "")
            for i, (text, on) in enumerate(zip(texts, checked, strict=True)):
                if not on and text not in avoid:
                    buttons.nth(i).click()
                    self.choice = (current, text)
                    return f"option {i + 1}: {text}"
            return None
        if kind == "stCheckbox":
            e.locator("label").first.click()
            return "toggled"
        if kind == "stNumberInput":
            up = e.locator("[data-testid=stNumberInputStepUp]")
            if up.count() and up.is_enabled():
                up.click()
                return "+1 step"
            down = e.locator("[data-testid=stNumberInputStepDown]")
            if down.count() and down.is_enabled():
                down.click()
                return "-1 step"
            return None
        if kind == "stTextArea":
            area = e.locator("textarea")
            text = area.input_value()
            if "." in text and re.fullmatch(r"[.#XGS\s]+", text):  # the Q-learning grid: paint a wall
                area.fill(text.replace(".", "#", 1))
                area.press("Control+Enter")
                return "first '.' painted '#'"
            # A free answer (a question page's draft): a sentence in the page's language, with markup.
            area.fill(text + ("我的回答：**蒸馏** <b>x</b> 1/2" if self.s.lang == "zh" else "My answer: **distil** <b>x</b> 1/2"))
            area.press("Control+Enter")
            return "typed an answer"
        if kind == "stTextInput":
            box = e.locator("input")
            box.fill(box.input_value() + "1")
            box.press("Enter")
            return "typed '1'"
        if kind == "stPopover" and e.locator("button[aria-expanded=true]").count():
            return "open already"
        if kind in ("stButton", "stPopover"):
            e.locator("button").first.click()
            return "pressed" if kind == "stButton" else "opened"
        if kind == "tab":
            e.click()
            return "opened"
        if kind == "stFileUploader":
            e.locator("input[type=file]").set_input_files(str(self.args.csv))
            return f"uploaded {self.args.csv.name}"
        return None

    def act(self, c: dict, avoid: frozenset = frozenset()) -> None:
        """Move one control (not in a form): it reruns the page; check, and what the learner sees changed.
        A choice (select box, radio, segmented control) that brings new controls on screen is a mode
        switch: the sweep comes back to it for its other choices (self.modes)."""
        before, since = self.fingerprint(), self.mark()
        ids_before = {x["id"] for x in self.controls()}
        t0 = time.monotonic()
        try:
            how = self.move(c, avoid)
        except Exception as err:
            self.s.problem(f"{c['kind']} '{c['label']}': could not move it: {str(err).splitlines()[0][:120]}")
            how = None
        if how is None and avoid:
            return  # a mode switch with no choice left
        if how is None:
            self.s.failed.add(c["id"])
            if c["id"] not in self.s.single:
                self.s.problem(f"{c['kind']} '{c['label']}': found no other value")
            self.s.steps.append(dict(control=c, how=None))
            return
        self.s.moved.add(c["id"])
        if c["kind"] in ("tab", "stPopover"):
            self.page.wait_for_timeout(800)
            ran = self.s.finished - since[1]
        else:
            ran = self.settle(since)
        self.s.runs += ran
        self.check(f"{c['kind']} '{c['label']}'")
        what = self.what_changed(before) if c["kind"] not in ("tab", "stPopover") else []
        now = self.controls()
        new_value = next((x["value"] for x in now if x["id"] == c["id"]), None)
        if self.choice and c["kind"] in ("stSelectbox", "stRadio", "stButtonGroup"):
            appeared = {x["id"] for x in now if x["kind"] != "tab"} - ids_before - self.s.found
            if appeared or c["id"] in self.modes:
                self.modes.setdefault(c["id"], set()).update(self.choice)
        if c["kind"] not in ("tab", "stPopover", "stButton", "stFileUploader") and new_value == c["value"]:
            self.s.problem(f"{c['kind']} '{c['label']}': value still {c['value']!r} after {how}")
        if not what and c["kind"] not in ("tab", "stPopover"):
            self.s.problem(f"{c['kind']} '{c['label']}' ({how}): nothing the learner sees changed")
        self.s.steps.append(dict(control=c["id"], kind=c["kind"], label=c["label"], how=how, value=c["value"],
                                 new_value=new_value, ran=ran, changed=what, seconds=round(time.monotonic() - t0, 1)))  # fmt: skip

    def form(self, index: int, members: list[dict]) -> None:
        """Change every control of one form, then press its submit button once."""
        before = self.fingerprint()
        t0 = time.monotonic()
        moved = []
        for c in members:
            if c["disabled"] or c["kind"] == "stFormSubmitButton":
                continue
            try:
                how = self.move(c)
            except Exception as err:
                self.s.problem(f"form {index}: {c['kind']} '{c['label']}': {str(err).splitlines()[0][:120]}")
                how = None
            self.page.wait_for_timeout(250)
            value = next((x["value"] for x in self.controls() if x["id"] == c["id"]), None)
            if how is None or value == c["value"]:
                self.s.failed.add(c["id"])
                if c["id"] in self.s.single:
                    continue
                self.s.problem(
                    f"form {index}: {c['kind']} '{c['label']}' not moved ({how}; still {c['value']!r})"
                )
            else:
                self.s.moved.add(c["id"])
                moved.append(
                    dict(control=c["id"], label=c["label"], how=how, value=c["value"], new_value=value)
                )
        if not moved and any(c["kind"] != "stFormSubmitButton" for c in members):
            return  # nothing new to submit
        self.controls()  # tags the submit buttons again
        submit = self.el(f"submit|{index}")
        if not submit.count():
            self.s.problem(f"form {index}: no submit button")
            return
        label = submit.inner_text().strip()
        since = self.mark()
        submit.locator("button").first.click()
        ran = self.settle(since)
        self.s.runs += ran
        self.s.found.add(f"submit|{index}")
        self.s.moved.add(f"submit|{index}")
        self.check(f"form {index} submit '{label}'")
        what = self.what_changed(before)
        if not what:
            self.s.problem(f"form {index} ('{label}'): submitted, nothing the learner sees changed")
        self.s.steps.append(dict(form=index, submit=label, moved=moved, ran=ran, changed=what,
                                 seconds=round(time.monotonic() - t0, 1)))  # fmt: skip

    def open_expanders(self, pattern: str | None = None) -> None:
        """Open the folded expanders that hold controls (or whose title matches `pattern`)."""
        expanders = self.page.locator("[data-testid=stMain] [data-testid=stExpander]")
        for i in range(expanders.count()):
            x = expanders.nth(i)
            if not x.is_visible() or x.evaluate(
                "e => (e.tagName === 'DETAILS' ? e : e.querySelector('details')).open"
            ):
                continue
            title = x.locator("summary").inner_text()
            holds = x.locator(", ".join(f"[data-testid={k}]" for k in CONTROLS)).count()
            if (pattern is None and holds) or (pattern is not None and re.search(pattern, title)):
                x.locator("summary").click()
                self.page.wait_for_timeout(400)

    def visible_pass(self, deferred: tuple[str, ...]) -> int:
        """Move every visible control not moved yet, in page order; returns how many were moved."""
        done, tried = 0, set()
        while time.monotonic() < self.deadline:
            self.open_expanders()
            controls = self.controls()
            self.s.found.update(c["id"] for c in controls if c["kind"] != "tab")
            todo = [c for c in controls if c["id"] not in self.s.moved and c["id"] not in tried | self.s.failed
                    and c["kind"] not in deferred and c["kind"] != "tab" and not c["disabled"]]  # fmt: skip
            if not todo:
                return done

            # Choices outside forms last: they may switch the page to another mode (other controls).
            # The last of them first: a mode switch (the e-commerce scenario) sits above what it switches.
            choice = [
                x["form"] < 0 and x["kind"] in ("stSelectbox", "stRadio", "stButtonGroup") for x in todo
            ]
            order = [(ch, -i if ch else i) for i, ch in enumerate(choice)]
            c = todo[order.index(min(order))]
            if c["form"] >= 0:
                members = [x for x in todo if x["form"] == c["form"]]
                tried.update(x["id"] for x in members)
                self.form(c["form"], members)
                done += len(members)
            else:
                tried.add(c["id"])
                self.act(c)
                done += 1
        self.s.problem("page timeout: controls left unmoved")
        return done

    def other_modes(self) -> None:
        """Each mode switch's other choices in turn (the e-commerce page's scenarios), with the
        controls each one shows moved, and a screenshot of each."""
        if self.modes:
            self.shot("mode")  # the mode the passes above ended in
        k = 0
        for cid in list(self.modes):
            while time.monotonic() < self.deadline:
                c = next((x for x in self.controls() if x["id"] == cid), None)
                if c is None:
                    break
                self.s.moved.discard(cid)
                n = len(self.s.steps)
                self.act(c, avoid=frozenset(self.modes[cid]))
                if len(self.s.steps) == n:  # every choice visited
                    self.s.moved.add(cid)
                    break
                self.visible_pass(deferred=("stFileUploader",))
                self.shot(f"mode{k}")
                k += 1

    def tabs(self) -> list[dict]:
        return [c for c in self.controls() if c["kind"] == "tab"]

    def sweep(self) -> None:
        url = f"{self.args.url}/{self.s.path or 'demo-' + self.s.demo}?lang={self.s.lang}"
        since = self.mark()
        self.page.goto(url)
        self.settle(since, must_run=True)  # the page's first run (before it, the root says notRunning too)
        self.check("opening")
        self.shot("before")
        for _ in range(3):  # controls that appear or get enabled after others moved
            n = self.visible_pass(deferred=("stFileUploader",))
            for i, tab in enumerate(self.tabs()):
                self.s.found.add(tab["id"])
                self.act(tab)
                first = f"tab{i}" not in " ".join(self.s.shots)
                if first:
                    self.shot(f"tab{i}")
                moved = self.visible_pass(deferred=("stFileUploader",))
                if first and moved:
                    self.shot(f"tab{i}-moved")  # the tab after its own controls moved
                n += moved
            if not n or time.monotonic() > self.deadline:
                break
        self.other_modes()
        self.open_expanders(pattern="🔁")  # the reproduce commands: rounding noise shows there first
        self.check("opening the reproduce panel")
        self.shot("after")
        uploads = [
            c for c in self.controls() if c["kind"] == "stFileUploader" and c["id"] not in self.s.moved
        ]
        for c in uploads:
            self.act(c)
            self.visible_pass(deferred=())
        if uploads:
            self.shot("upload")


def sweep_one(browser, args, demo: str, lang: str, width: int, height: int, path: str = "") -> Sweep:
    s = Sweep(demo, lang, width, height, path)
    out = OUT / (f"q-{path}" if path else demo)
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN" if lang == "zh" else "en-US")  # fmt: skip
    context.set_default_timeout(30_000)  # a click or a read; the waits for runs use --step-timeout
    page = context.new_page()

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith(FAILED_RESOURCE_404) and STREAMLIT_PROBE.match(where):
            return
        s.errors.append(f"{msg.text} ({where})" if where else msg.text)

    def on_frame(payload) -> None:
        if not isinstance(payload, bytes | bytearray):
            return
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:
            return
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            s.started += 1
        elif kind == "script_finished":  # also a run cut short by the next one: its rerun follows
            s.finished += 1

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.on("console", on_console)
    page.on("pageerror", lambda err: s.errors.append(f"uncaught: {err}"))
    t0 = time.monotonic()
    p = Page(page, s, args, out)
    try:
        p.sweep()
    except StepTimeout as err:
        s.problem(f"step timeout: {err}")
    except Exception as err:  # a broken page must not stop the sweep of the others
        s.problem(f"sweep stopped: {type(err).__name__}: {str(err).splitlines()[0][:200]}")
    finally:
        s.seconds = time.monotonic() - t0
        try:
            if not any(str(x).endswith("-after.png") for x in s.shots):
                p.shot("stopped")
        except Exception:
            pass
        context.close()
    log = {
        **s.row(),
        "unmoved": sorted(s.found - s.moved),
        "notes": s.notes,
        "steps": s.steps,
        "screenshots": s.shots,
    }
    (out / f"{lang}-{width}.json").write_text(json.dumps(log, ensure_ascii=False, indent=1, default=str))
    return s


def table(rows: list[Sweep]) -> str:
    lines = [
        "| demo | lang | size | found | moved | runs | s | problems |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for s in rows:
        r = s.row()
        problems = "; ".join(r["problems"]) or "none"
        lines.append(f"| {r['demo']} | {r['lang']} | {r['size']} | {r['found']} | {r['moved']} | {r['runs']} "
                     f"| {r['seconds']} | {problems} |")  # fmt: skip
    return "\n".join(lines)


def write_csv(path: Path) -> Path:
    """A small valid upload: three numeric features, a user id (for the metrics lab's GAUC) and two
    two-class targets (UPLOAD_CHOICES)."""
    import numpy as np

    rng = np.random.default_rng(0)
    n = 120
    y = rng.integers(0, 2, n)
    x1 = rng.normal(y * 1.5, 1.0)
    x2 = rng.normal(-y, 1.0)
    x3 = rng.normal(y * 0.5 - x2 * 0.5, 1.0)
    y2 = (x1 + x3 + rng.normal(0, 1.0, n)) > 0.7
    user = rng.integers(0, 10, n)
    rows = zip(x1, x2, x3, user, y, y2, strict=True)
    lines = [
        "x1,x2,x3,user,label,label2",
        *(f"{a:.3f},{b:.3f},{c:.3f},u{u},{'yes' if d else 'no'},{int(e)}" for a, b, c, u, d, e in rows),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def question_pages(wanted: list[str]) -> list[tuple[str, str]]:
    """(demo, question id) for every question page with a live panel, or those whose id starts with
    one of `wanted`."""
    from kdlab.practice.bank import DEFAULT_ROOT, load_bank

    pages = []
    for q in load_bank(DEFAULT_ROOT).in_language("en"):
        demo = (q.demo or [None])[0] if isinstance(q.demo, list | tuple) else q.demo
        if demo and (not wanted or any(q.id.startswith(w) for w in wanted)):
            pages.append((demo, q.id))
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running KD Lab (else a server of its own on a free loopback port)")
    ap.add_argument(
        "--demo", nargs="*", default=list(DEMOS), help="demo ids (default: every registered demo)"
    )
    ap.add_argument("--questions", nargs="*", help="sweep question pages with a live panel instead (ids or prefixes; none: all)")
    ap.add_argument("--lang", nargs="*", default=["zh", "en"])
    ap.add_argument("--no-wide", action="store_true", help="skip the 1440x900 pass")
    ap.add_argument("--step-timeout", type=float, default=300.0, help="seconds for one wait (a run, a chart)")
    ap.add_argument("--page-timeout", type=float, default=1200.0, help="seconds for one page's sweep")
    args = ap.parse_args()
    unknown = [d for d in args.demo if d not in DEMOS]
    if unknown:
        ap.error(f"unknown demo(s): {', '.join(unknown)}; known: {', '.join(DEMOS)}")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="kdlab-sweep-"))
    args.csv = write_csv(tmp / "own_data.csv")
    env = {"KDLAB_DB_PATH": str(tmp / "progress.db"), "KDLAB_DATABASE_URL": ""}
    server = (
        nullcontext((args.url, None)) if args.url else running_app(OUT / "server.log", timeout=300, env=env)
    )
    rows: list[Sweep] = []
    with server as (url, _pid), sync_playwright() as pw:
        args.url = url.rstrip("/")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        order = list(DEMOS)
        pages = [(demo, "") for demo in args.demo] if args.questions is None else question_pages(args.questions)
        for k, (demo, path) in enumerate(pages):
            runs = [(lang, 1280, 720) for lang in args.lang]
            if not args.no_wide:
                runs.append(("zh" if (order.index(demo) if not path else k) % 2 == 0 else "en", 1440, 900))
            for lang, width, height in runs:
                s = sweep_one(browser, args, demo, lang, width, height, path)
                rows.append(s)
                r = s.row()
                print(f"{path or demo:12} {lang} {r['size']:9} found {r['found']:3} moved {r['moved']:3} runs {r['runs']:3} "
                      f"{r['seconds']:5} s  problems: {len(r['problems'])}", flush=True)  # fmt: skip
        browser.close()
    print()
    print(table(rows))
    return 1 if any(s.problems for s in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
