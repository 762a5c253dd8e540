"""A bare Flask hello-world app: the baseline benchmarks/web.py compares the idea list with.

Served by gunicorn with the same settings as the portal:
`gunicorn --pythonpath benchmarks hello:app`.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
