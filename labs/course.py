"""코스 지도: 레슨 목록, 제목, 시드 장의 절 번호 (노트북 생성기와 00 레슨이 쓴다)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    stem: str
    title: str
    summary: str
    seed_section: int | None

    @property
    def filename(self) -> str:
        return f"{self.stem}.ipynb"



LESSONS: tuple[Lesson, ...] = (
    Lesson("00_start_here", "시작하기", "실습 환경 점검, 도구 사용법, 채점 방식", None),
    Lesson("01_asgi_servers", "ASGI 서버: uvicorn과 hypercorn", "워커 수, gunicorn 플래그, HTTP/2", 1),
    Lesson("02_wsgi_gunicorn", "WSGI 서버: gunicorn", "설정 파일, 워커 클래스 비교, preload", 2),
    Lesson("03_pm2_nodejs", "Node.js를 위한 PM2", "클러스터 모드, 무중단 리로드, 그레이스풀 셧다운", 3),
    Lesson("04_nginx_reverse_proxy", "nginx 역방향 프록시", "업스트림, 헤더, 타임아웃, 속도 제한", 4),
    Lesson("05_docker_images", "Docker 이미지", "다단계 빌드, 레이어 캐시, .dockerignore", 5),
    Lesson("06_docker_compose", "Docker Compose", "헬스 체크 순서, 확장, 볼륨, 개발용 오버라이드", 6),
    Lesson("07_health_and_shutdown", "헬스 체크와 그레이스풀 셧다운", "라이브니스·레디니스, 신호, 장애 훈련", 7),
    Lesson("08_twelve_factor_config", "12-팩터 설정", "pydantic-settings, 백킹 서비스, 스테이트리스", 8),
    Lesson("09_tls_termination", "SSL/TLS 종료", "로컬 CA, Mozilla 권장 설정, HSTS, mTLS", 9),
    Lesson("10_exercises", "연습 문제", "다섯 문제와 자동 채점", 10),
)


def lesson(stem: str) -> Lesson:
    for item in LESSONS:
        if item.stem == stem:
            return item
    raise KeyError(stem)


def neighbours(stem: str) -> tuple[Lesson | None, Lesson | None]:
    """이전·다음 레슨."""
    idx = [item.stem for item in LESSONS].index(stem)
    prev = LESSONS[idx - 1] if idx > 0 else None
    nxt = LESSONS[idx + 1] if idx + 1 < len(LESSONS) else None
    return prev, nxt
