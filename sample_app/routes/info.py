"""앱과 프로세스 정보, 프록시 뒤에서 보이는 클라이언트 정보 (01·04·08 레슨)."""

from __future__ import annotations

import platform
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from sample_app import process
from sample_app.config import Settings, get_settings

router = APIRouter(tags=["info"])
lab_router = APIRouter(tags=["info (실습 전용)"])
"""`LAB_ENDPOINTS=true`일 때만 붙는다: 받은 헤더를 되비추는 디버그 경로는 프로덕션에 열지 않는다."""

class Endpoint(BaseModel):
    method: str
    path: str
    description: str


class Index(BaseModel):
    name: str
    version: str
    endpoints: list[Endpoint]


class Info(BaseModel):
    name: str
    environment: str
    version: str
    debug: bool
    python: str
    server: str | None


class WhoAmI(BaseModel):
    hostname: str
    pid: int
    ppid: int
    worker_id: str
    started_at: str
    requests_served: int


class ClientAddress(BaseModel):
    host: str
    port: int


class DebugClient(BaseModel):
    client: ClientAddress | None
    scheme: str
    host: str | None
    root_path: str
    headers: dict[str, str]


PROXY_HEADERS = (
    "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "forwarded",
)


@router.get("/", summary="엔드포인트 목록")
async def index(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> Index:
    # OpenAPI 스키마에서 뽑는다: 라우트를 더하면 목록도 저절로 따라온다
    endpoints = [
        {"method": method.upper(), "path": path, "description": operation.get("summary", "")}
        for path, operations in request.app.openapi()["paths"].items()
        for method, operation in operations.items()
    ]
    # WebSocket과 정적 파일은 OpenAPI에 나오지 않는다
    endpoints += [
        {"method": "WS", "path": "/ws/echo", "description": "WebSocket 에코: 받은 텍스트를 그대로 돌려준다"},
        {"method": "GET", "path": "/static/index.html", "description": "정적 파일 (nginx가 대신 서빙하는 실습용)"},
    ]
    return Index(name=settings.app_name, version=settings.app_version,
                 endpoints=[Endpoint(**endpoint) for endpoint in endpoints])


@router.get("/info", summary="앱 이름, 환경, 버전, 파이썬·서버 버전 (시크릿은 절대 넣지 않는다)")
async def info(settings: Annotated[Settings, Depends(get_settings)]) -> Info:
    # 설정 객체를 통째로 돌려주지 않는다: 필드가 늘면 시크릿이 응답에 새어 나간다 (응답 모델이 필드를 정한다)
    return Info(
        name=settings.app_name,
        environment=settings.environment,
        version=settings.app_version,
        debug=settings.debug,
        python=platform.python_version(),
        server=process.server_software(),
    )


@router.get("/whoami", summary="이 응답을 만든 프로세스: 호스트, pid, 워커 ID, 처리한 요청 수")
async def whoami(request: Request) -> WhoAmI:
    return WhoAmI(**process.identity(), requests_served=getattr(request.app.state, "requests_served", 0))


@lab_router.get("/debug/client", summary="앱이 보는 클라이언트 주소, 스킴, 프록시 헤더 (04 레슨)")
async def debug_client(request: Request) -> DebugClient:
    return DebugClient(
        client=ClientAddress(host=request.client.host, port=request.client.port) if request.client else None,
        scheme=request.url.scheme,
        host=request.headers.get("host"),
        root_path=request.scope.get("root_path", ""),
        headers={name: request.headers[name] for name in PROXY_HEADERS if name in request.headers},
    )
