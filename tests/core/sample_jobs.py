"""Jobs used by the job-kernel tests: each leaves a trace in the audit log."""

from __future__ import annotations

from shop.core import audit
from shop.core.jobs import job


@job
def record_trace(label: str) -> None:
    audit.record(actor_id=None, action="test.job_ran", subject_type="trace", subject_id=label)


@job(queue="default")
def fail_always(label: str) -> None:
    audit.record(actor_id=None, action="test.job_ran", subject_type="trace", subject_id=label)
    raise RuntimeError("this job fails on purpose")
