"""The shared job queue: bounded concurrency, shared identical runs, waiting learners told,
runs that outlive their learner's visit."""

import threading
import time

import pytest

from kdlab.core.jobs import Jobs, ResultStore


def test_at_most_slots_jobs_run_at_once_and_the_rest_are_queued():
    jobs = Jobs(slots=2)
    running, peak = 0, 0
    lock = threading.Lock()
    gate = threading.Event()

    def work(report):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        gate.wait(2)
        with lock:
            running -= 1
        return "done"

    submitted = [jobs.submit(("job", i), work) for i in range(6)]
    time.sleep(0.2)
    assert sum(job.queued for job in submitted) == 4  # what a waiting learner is told
    gate.set()
    assert [job.future.result(5) for job in submitted] == ["done"] * 6
    assert peak == 2


def test_identical_requests_share_one_run():
    jobs = Jobs(slots=2)
    calls = []
    gate = threading.Event()

    def work(report):
        calls.append(1)
        gate.wait(2)
        return 42

    submitted = [jobs.submit(("same",), work) for _ in range(4)]
    assert all(job is submitted[0] for job in submitted)
    gate.set()
    assert submitted[0].future.result(5) == 42 and len(calls) == 1


def test_a_failed_run_raises_for_its_owner_and_frees_the_slot():
    jobs = Jobs(slots=1)

    def boom(report):
        raise ValueError("impossible setting")

    with pytest.raises(ValueError, match="impossible setting"):
        jobs.submit(("x",), boom).future.result(5)
    assert jobs.submit(("y",), lambda report: "ok").future.result(5) == "ok"


def test_a_run_finishes_and_is_stored_when_nobody_waits_for_it():
    """A learner who navigates away stops waiting; the job goes on and keeps its result."""
    jobs, results = Jobs(slots=1), ResultStore("demo")
    seen = []

    def work(report):
        for epoch in range(3):
            report(epoch)
            seen.append(epoch)
            time.sleep(0.02)
        return "trained"

    job = results.submit(jobs, ("lr", 0.1), work)
    del job  # nobody holds the job any more
    deadline = time.monotonic() + 5
    while results.get(("lr", 0.1)) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert results.get(("lr", 0.1)) == "trained" and seen == [0, 1, 2]
    # Coming back with the same settings: the stored result, no second run.
    again = results.submit(jobs, ("lr", 0.1), lambda report: pytest.fail("retrained"))
    assert again.future.result(5) == "trained"


def test_progress_is_reported_to_whoever_watches():
    jobs = Jobs(slots=1)
    step = threading.Event()

    def work(report):
        report("epoch 1")
        step.wait(2)
        return "done"

    job = jobs.submit(("p",), work)
    deadline = time.monotonic() + 5
    while job.progress is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.progress == "epoch 1" and not job.queued
    step.set()
    assert job.future.result(5) == "done"


def test_a_cache_clear_keeps_the_queue_and_the_results():
    """A client can send clear_cache; the queue's limit and the stored results are not caches."""
    import streamlit as st

    from pages.demos import kit

    queue = kit.jobs()
    kit.store("regression").put(("k",), "result")
    st.cache_resource.clear()
    st.cache_data.clear()
    assert kit.jobs() is queue and kit.jobs().slots == queue.slots
    assert kit.store("regression").get(("k",)) == "result"


def test_the_time_budget_stops_training_between_epochs():
    from kdlab.core import budget
    from kdlab.deep.cnn import run

    budget.check()  # no deadline: never interrupted (tests, the CLI)
    with budget.deadline(0.0), pytest.raises(budget.BudgetExceeded, match="time budget"):
        run(epochs=3, channels=4, layers=1)
    budget.check()  # the deadline ended with its block


def test_a_page_job_over_budget_is_stopped_with_a_message(monkeypatch):
    import pages.demos.kit
    from tests.test_app import open_url, start

    monkeypatch.setattr(pages.demos.kit, "JOB_SECONDS", 0.0)
    at = open_url(start("en"), "demo-cnn")
    assert not at.exception
    assert any("time budget" in e.value for e in at.error)


def test_one_client_gets_its_share_of_the_queue_not_all_of_it():
    """Issue 17: one client with 10 sessions delayed another learner's 2 s training by 91 s."""
    from kdlab.core.jobs import TooManyJobs

    jobs = Jobs(slots=1, per_owner=2)
    gate = threading.Event()

    def work(report):
        gate.wait(5)
        return "done"

    mine = [jobs.submit(("many", i), work, owner="ip:10.0.0.5") for i in range(2)]
    with pytest.raises(TooManyJobs):
        jobs.submit(("many", 2), work, owner="ip:10.0.0.5")
    assert jobs.submit(("many", 0), work, owner="ip:10.0.0.5") is mine[0]  # joining a live job is fine
    other = jobs.submit(("other",), work, owner="ip:10.0.0.9")  # the classmate is queued behind 2, not 10
    gate.set()
    assert other.future.result(5) == "done"
    assert jobs.submit(("many", 2), lambda report: "later", owner="ip:10.0.0.5").future.result(5) == "later"
