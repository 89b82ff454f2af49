"""WebSocket (04 레슨): nginx가 `Upgrade` 헤더를 넘겨야 이 연결이 프록시를 통과한다."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

router = APIRouter(tags=["websocket"])


@router.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    """WebSocket 에코: 받은 텍스트 메시지를 그대로 돌려준다."""
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass
