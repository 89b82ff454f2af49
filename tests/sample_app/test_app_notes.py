"""노트 CRUD(routes/notes.py, models.py)와 마이그레이션(migrations/) — SQLite."""

from __future__ import annotations

from alembic import command

from sample_app.migrate import alembic_config


def test_notes_crud(client) -> None:
    assert client.get("/notes").json() == []

    created = client.post("/notes", json={"title": "첫 노트", "body": "배포 연습"})
    assert created.status_code == 201
    note = created.json()
    assert note["title"] == "첫 노트"
    assert note["body"] == "배포 연습"
    assert {"id", "created_at", "updated_at"} <= note.keys()

    assert client.get(f"/notes/{note['id']}").json()["title"] == "첫 노트"

    replaced = client.put(f"/notes/{note['id']}", json={"title": "고친 노트"})
    assert replaced.status_code == 200
    assert replaced.json()["title"] == "고친 노트"
    assert replaced.json()["body"] == ""

    client.post("/notes", json={"title": "둘째"})
    assert [n["title"] for n in client.get("/notes").json()] == ["고친 노트", "둘째"]
    assert len(client.get("/notes", params={"limit": 1}).json()) == 1

    assert client.delete(f"/notes/{note['id']}").status_code == 204
    missing = client.get(f"/notes/{note['id']}")
    assert missing.status_code == 404
    assert "노트가 없다" in missing.json()["detail"]


def test_note_validation(client) -> None:
    assert client.post("/notes", json={"title": ""}).status_code == 422
    assert client.post("/notes", json={"body": "제목 없음"}).status_code == 422
    assert client.put("/notes/999", json={"title": "없는 노트"}).status_code == 404
    assert client.delete("/notes/999").status_code == 404


def test_missing_tables_point_to_migrate(make_client) -> None:
    client = make_client(migrated=False)
    response = client.get("/notes")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_schema_missing"
    assert "python -m sample_app.migrate" in body["detail"]
    assert "no such table" not in response.text, "응답에 드라이버의 오류 문구가 새어 나왔다"


def test_models_match_migrations(client) -> None:
    """모델을 바꾸고 마이그레이션을 빠뜨리면 여기서 걸린다(`alembic check`)."""
    command.check(alembic_config())
