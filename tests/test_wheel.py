"""A built wheel runs the portal outside the checkout: templates, static files, migrations
and demo data travel inside it (see setup.py), and nothing reads the source tree."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from vocportal.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

SMOKE = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import vocportal
    from flask_migrate import upgrade
    from vocportal import create_app

    checkout = Path(sys.argv[1])
    assert checkout not in Path(vocportal.__file__).parents, vocportal.__file__
    app = create_app({"SECRET_KEY": "smoke", "RATELIMIT_ENABLED": False})
    assert checkout not in Path(app.template_folder).parents, app.template_folder
    with app.app_context():
        upgrade()
        from vocportal.demo.seed import seed

        seed()
    client = app.test_client()
    for path in ("/", "/login", "/roadmap", "/changelog", "/static/css/app.css"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    page = client.get("/").get_data(as_text=True)
    assert "What should we build next?" in page, page[:500]
    print("wheel smoke ok")
    """
)


def test_a_built_wheel_serves_pages_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        # This environment's setuptools builds it: nothing is fetched.
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(dist), "."],
        cwd=PROJECT_ROOT,
        check=True,
    )
    (wheel,) = dist.glob("vocportal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "vocportal/_resources/templates/base.html",
        "vocportal/_resources/static/css/app.css",
        "vocportal/_resources/migrations/env.py",
        "vocportal/demo/data/ideas.json",
        "jobs/runtime.py",
        "vocportal/cli/__main__.py",
        "vocportal/queue/jobnames.py",
    ):
        assert needed in names, needed
    # A fresh environment with only the wheel installed; its dependencies are the ones this
    # test's environment already has (a path entry, not a site dir, so the checkout's
    # editable install is not visible there).
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    (workdir / "smoke.py").write_text(SMOKE)
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VOCPORTAL_INSTANCE_PATH"}
    }
    env.update({"DATABASE_URL": "", "REDIS_URL": "", "SECRET_KEY": "smoke"})
    result = subprocess.run(
        [str(python), "smoke.py", str(PROJECT_ROOT)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "wheel smoke ok" in result.stdout
    assert (workdir / "instance" / "vocportal.db").exists()  # ./instance, not the checkout's
