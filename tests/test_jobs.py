"""The shared job queue: bounded concurrency, shared identical runs, waiting learners told."""

import threading
import time

import pytest

from views.demo_kit import Jobs


def test_at_most_slots_jobs_run_at_once_and_waiters_are_told():
    jobs = Jobs(slots=2)
    running, peak, waited = 0, 0, []
    lock = threading.Lock()

    def work():
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "done"

    threads = [
        threading.Thread(target=lambda i=i: jobs.run(("job", i), work, on_wait=lambda i=i: waited.append(i)))
        for i in range(6)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert peak == 2
    assert len(waited) >= 1


def test_identical_requests_share_one_run():
    jobs = Jobs(slots=2)
    calls = []
    gate = threading.Event()

    def work():
        calls.append(1)
        gate.wait(2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(jobs.run(("same",), work))) for _ in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.1)
    gate.set()
    for th in threads:
        th.join()
    assert results == [42] * 4 and len(calls) == 1


def test_a_failed_run_raises_for_its_owner_and_frees_the_slot():
    jobs = Jobs(slots=1)

    def boom():
        raise ValueError("impossible setting")

    with pytest.raises(ValueError, match="impossible setting"):
        jobs.run(("x",), boom)
    assert jobs.run(("y",), lambda: "ok") == "ok"


def test_the_time_budget_stops_training_between_epochs():
    from kdlab import budget
    from kdlab.cnn import run

    budget.check()  # no deadline: never interrupted (tests, the CLI)
    with budget.deadline(0.0), pytest.raises(budget.BudgetExceeded, match="time budget"):
        run(epochs=3, channels=4, layers=1)
    budget.check()  # the deadline ended with its block


def test_a_page_job_over_budget_is_stopped_with_a_message(monkeypatch):
    import views.demo_kit
    from tests.test_app import open_url, start

    monkeypatch.setattr(views.demo_kit, "JOB_SECONDS", 0.0)
    at = open_url(start("en"), "demo-cnn")
    assert not at.exception
    assert any("time budget" in e.value for e in at.error)
