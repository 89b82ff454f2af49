"""노트 CRUD: DB를 실제로 쓰는 자원 (05·06 레슨의 마이그레이션과 백킹 서비스)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import select

from sample_app.db import SessionDep
from sample_app.models import Note, NoteIn, NoteOut

router = APIRouter(prefix="/notes", tags=["notes"])


async def _get_or_404(session: SessionDep, note_id: int) -> Note:
    note = await session.get(Note, note_id)
    if note is None:
        raise HTTPException(status_code=404, detail=f"{note_id}번 노트가 없다")
    return note


@router.get("", summary="노트 목록 (id 순)", response_model=list[NoteOut])
async def list_notes(
    session: SessionDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> list[Note]:
    result = await session.scalars(select(Note).order_by(Note.id).limit(limit).offset(offset))
    return list(result)


@router.post("", summary="노트 만들기", response_model=NoteOut, status_code=status.HTTP_201_CREATED)
async def create_note(data: NoteIn, session: SessionDep) -> Note:
    note = Note(**data.model_dump())
    session.add(note)
    await session.commit()
    return note


@router.get("/{note_id}", summary="노트 하나 읽기", response_model=NoteOut)
async def read_note(note_id: int, session: SessionDep) -> Note:
    return await _get_or_404(session, note_id)


@router.put("/{note_id}", summary="노트 통째로 바꾸기", response_model=NoteOut)
async def replace_note(note_id: int, data: NoteIn, session: SessionDep) -> Note:
    note = await _get_or_404(session, note_id)
    for field, value in data.model_dump().items():
        setattr(note, field, value)
    await session.commit()
    return note


@router.delete("/{note_id}", summary="노트 지우기", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: int, session: SessionDep) -> Response:
    note = await _get_or_404(session, note_id)
    await session.delete(note)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
