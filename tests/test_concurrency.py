"""Votes stay exact when many people vote and un-vote at the same moment."""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from tests.conftest import PortalClient
from vocportal.extensions import db
from vocportal.ideas.models import Idea, Vote

THREADS = 12
ACTIONS = 15


def test_concurrent_votes_keep_stored_count_equal_to_rows(app, make_user, make_idea):
    ideas = [make_idea(title=f"Contested idea {i}") for i in range(3)]
    people = [make_user() for _ in range(THREADS)]
    clients = []
    for n, person in enumerate(people):
        client = PortalClient(app)
        client.http.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"  # people, not one address
        client.login(person.email)
        clients.append((client, client.csrf_token("/")))
    idea_ids = [i.id for i in ideas]
    barrier = threading.Barrier(THREADS)
    failures: list[str] = []

    def run(n: int) -> None:
        client, token = clients[n]
        rng = random.Random(n)
        barrier.wait()
        for _ in range(ACTIONS):
            # Each person also fires the same request twice at once sometimes: double clicks.
            action = rng.choice(["vote", "unvote", "vote"])
            idea_id = rng.choice(idea_ids)
            response = client.http.post(
                f"/ideas/{idea_id}/{action}",
                data={"csrf_token": token},
                headers={"HX-Request": "true"},
            )
            if response.status_code != 200:
                failures.append(f"{action} {idea_id}: {response.status_code}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures[:5]

    db.session.expire_all()
    total_votes = 0
    for idea_id in idea_ids:
        rows = db.session.scalar(select(func.count()).where(Vote.idea_id == idea_id))
        stored = db.session.get(Idea, idea_id).vote_count
        assert stored == rows, f"idea {idea_id}: stored {stored}, rows {rows}"
        total_votes += rows
    # Something really happened: more than the three authors' own votes.
    assert total_votes > len(idea_ids)


def test_same_person_racing_themselves_gets_one_vote(app, make_user, make_idea):
    idea = make_idea()
    person = make_user()
    client = PortalClient(app)
    client.login(person.email)
    token = client.csrf_token("/")
    idea_id = idea.id
    barrier = threading.Barrier(8)

    def run() -> None:
        barrier.wait()
        client.http.post(
            f"/ideas/{idea_id}/vote", data={"csrf_token": token}, headers={"HX-Request": "true"}
        )

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    assert db.session.get(Idea, idea_id).vote_count == 2
