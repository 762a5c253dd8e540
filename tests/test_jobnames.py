"""Each job's name is declared once, in vocportal/queue/jobnames.py, and names a job in jobs/.

Worker side: these tests import jobs/ to resolve the names.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil

import jobs
from vocportal.config import PROJECT_ROOT
from vocportal.queue import jobnames

#: Packages that still spell job names out (being rewritten; issue 10): empty this list once
#: they use vocportal.queue.jobnames.
NOT_YET_USING_JOBNAMES: list[str] = []


def registered() -> dict[str, str]:
    return {name: value for name, value in vars(jobnames).items() if name.isupper()}


def test_every_registered_name_is_a_job_in_jobs():
    names = registered()
    assert len(names) >= 13
    assert len(set(names.values())) == len(names), "two constants name the same job"
    for constant, path in names.items():
        module, _, attribute = path.rpartition(".")
        assert module.startswith("jobs."), constant
        func = getattr(importlib.import_module(module), attribute, None)
        assert callable(func), f"{constant} = {path!r} is not a function in jobs/"
        # A job (jobs.runtime.task) keeps its record true; a bare function would not.
        assert hasattr(func, "__wrapped__"), f"{path} is not a @task"


def test_every_job_in_jobs_is_registered():
    names = set(registered().values())
    for info in pkgutil.iter_modules(jobs.__path__):
        module = importlib.import_module(f"jobs.{info.name}")
        for attribute, value in vars(module).items():
            is_task = callable(value) and hasattr(value, "__wrapped__")
            if is_task and value.__module__ == module.__name__:
                assert f"{module.__name__}.{attribute}" in names, (
                    f"{module.__name__}.{attribute}: declare it in vocportal/queue/jobnames.py"
                )


def test_no_module_outside_the_registry_spells_out_a_job_name():
    root = PROJECT_ROOT / "vocportal"
    skipped = [PROJECT_ROOT / folder for folder in NOT_YET_USING_JOBNAMES]
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "queue" / "jobnames.py" or any(p in path.parents for p in skipped):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and str(node.value).startswith("jobs."):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value!r}")
    found.sort()
    assert found == [], "use the constants in vocportal/queue/jobnames.py:\n" + "\n".join(found)
