"""A teacher's view of the class: who answered what, the hardest items, ratings over time, who is due.

    from kdlab.practice.classroom import class_report, class_csv

    report = class_report(store)   # ClassReport; the class is every learner who is not a teacher
    report.items                   # per quiz item: learners who answered, right at their first attempt
    report.questions               # per question: the same, summed over its items, and ratings
    report.hardest(5)              # the items with the lowest first-attempt accuracy
    report.days                    # ratings per day (again .. easy)
    report.due                     # per learner: questions due now, the next review
    class_csv(store)               # every attempt of the class, one row each, with the learner's name

A learner's first attempt at an item is their earliest recorded answer to it (any visit), so a
"Try again" or a later visit never improves the class's numbers. Names appear in these results:
only a teacher's page may show them (pages/practice/teacher.py checks the role).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

import sqlalchemy as sa

from kdlab.practice.progress import HISTORY_COLUMNS, RATINGS, Store, _guarded, _utc, to_csv
from kdlab.practice.schema import attempts, cards, learners

CLASS_COLUMNS = ("learner", *HISTORY_COLUMNS)


@dataclass(frozen=True)
class ClassReport:
    learners: list[dict]  # id, name; the class, by name
    items: list[dict]  # question_id, item, answered, right, accuracy (None if nobody answered)
    questions: list[dict]  # question_id, answered (learners), answers (first attempts), right, accuracy, ratings
    days: list[dict]  # day, again, hard, good, easy (ratings given that day, in `tz`)
    due: list[dict]  # learner, due_now, scheduled, next_due (None: nothing scheduled)

    def hardest(self, n: int = 5) -> list[dict]:
        """The items answered by someone, lowest first-attempt accuracy first (then most answered)."""
        answered = [i for i in self.items if i["answered"]]
        return sorted(answered, key=lambda i: (i["accuracy"], -i["answered"], i["question_id"], i["item"]))[:n]


def _class(conn: sa.Connection) -> list[dict]:
    query = sa.select(learners.c.id, learners.c.name).where(learners.c.teacher == sa.false()).order_by(learners.c.key)
    return [dict(r._mapping) for r in conn.execute(query)]


@_guarded
def class_report(store: Store, now: datetime | None = None, tz: tzinfo = UTC) -> ClassReport:
    """The class's numbers at `now` (days of ratings in `tz`)."""
    at = _utc(now)
    with store.engine.connect() as conn:
        members = _class(conn)
        ids = [m["id"] for m in members]
        in_class = attempts.c.learner_id.in_(ids)
        quiz = conn.execute(
            sa.select(attempts.c.learner_id, attempts.c.question_id, attempts.c.item, attempts.c.correct)
            .where(in_class, attempts.c.kind == "quiz", attempts.c.item.is_not(None))
            .order_by(attempts.c.at, attempts.c.id)
        ).all()
        rated = conn.execute(
            sa.select(attempts.c.question_id, attempts.c.rating, attempts.c.at).where(
                in_class, attempts.c.rating.is_not(None)
            )
        ).all()
        scheduled = conn.execute(
            sa.select(cards.c.learner_id, cards.c.due).where(cards.c.learner_id.in_(ids))
        ).all()

    first: dict[tuple[str, int, int], bool] = {}  # (question, item, learner) -> right at the first attempt
    for row in quiz:
        first.setdefault((row.question_id, row.item, row.learner_id), bool(row.correct))
    items: dict[tuple[str, int], dict] = {}
    for (qid, item, _), right in first.items():
        i = items.setdefault((qid, item), {"question_id": qid, "item": item, "answered": 0, "right": 0})
        i["answered"] += 1
        i["right"] += right
    for i in items.values():
        i["accuracy"] = i["right"] / i["answered"]

    questions: dict[str, dict] = {}

    def question(qid: str) -> dict:
        return questions.setdefault(
            qid, {"question_id": qid, "answered": 0, "answers": 0, "right": 0, "ratings": 0, "who": set()}
        )

    for (qid, _, learner_id), right in first.items():
        q = question(qid)
        q["who"].add(learner_id)
        q["answers"] += 1
        q["right"] += right
    days: dict[date, dict] = {}
    for row in rated:
        question(row.question_id)["ratings"] += 1
        day = row.at.astimezone(tz).date()
        days.setdefault(day, {"day": day} | dict.fromkeys(RATINGS, 0))[RATINGS[row.rating - 1]] += 1
    for q in questions.values():
        q["answered"] = len(q.pop("who"))
        q["accuracy"] = q["right"] / q["answers"] if q["answers"] else None

    due = {m["id"]: {"learner": m["name"], "due_now": 0, "scheduled": 0, "next_due": None} for m in members}
    for row in scheduled:
        d = due[row.learner_id]
        d["scheduled"] += 1
        d["due_now"] += row.due <= at
        if row.due > at and (d["next_due"] is None or row.due < d["next_due"]):
            d["next_due"] = row.due
    return ClassReport(
        learners=members,
        items=[items[k] for k in sorted(items)],
        questions=[questions[k] for k in sorted(questions)],
        days=[days[k] for k in sorted(days)],
        due=sorted(due.values(), key=lambda d: (-d["due_now"], d["learner"].casefold())),
    )


@_guarded
def class_history(store: Store) -> list[dict]:
    """Every attempt of the class, oldest first, with the keys CLASS_COLUMNS."""
    query = (
        sa.select(learners.c.name.label("learner"), *(attempts.c[name] for name in HISTORY_COLUMNS))
        .join(learners, learners.c.id == attempts.c.learner_id)
        .where(learners.c.teacher == sa.false())
        .order_by(attempts.c.at, attempts.c.id)
    )
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["rating"] = None if row["rating"] is None else RATINGS[row["rating"] - 1]
    return rows


def class_csv(store: Store) -> str:
    """The class's attempts as CSV, cells quoted against spreadsheet formulas as in a learner's export."""
    return to_csv(class_history(store), CLASS_COLUMNS)
