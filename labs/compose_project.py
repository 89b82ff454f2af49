"""파일 셀의 compose.yaml 하나로 올린 Compose 프로젝트 (07·08 레슨).

레슨 키트가 `docker compose -p 프로젝트 -f 파일 …`을 실제 CLI로 실행하고(명령 줄을 그대로 보인다) 프로젝트를 등록부에
적어 두면, `labs.cleanup()`이 `stop()`으로 내린다. `down`이 무엇을 남겨도(파일이 사라졌거나 바뀌었다) 프로젝트
레이블로 컨테이너·네트워크를 찾아 지운다.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import registry
from .errors import LabError

PLAIN = ("--ansi", "never", "--progress", "plain")
"""노트북 출력에 맞는 Compose 출력 모양 (색·진행 막대 없이)."""


@dataclass(eq=False)
class ComposeProject:
    """Compose 프로젝트 하나: 이름, 파일(`cwd` 기준 경로), 레슨, 명령을 실행할 폴더, 전역 플래그."""

    project: str
    file: str
    lab: str
    cwd: Path | None = None
    """명령을 실행할 폴더. None이면 저장소 루트 (`file`은 이 폴더 기준이다)."""
    flags: tuple[str, ...] = PLAIN
    pid: None = None  # 등록부 호환: 이 자원은 pid 파일이 아니라 등록부와 레이블로 찾는다.

    @property
    def workdir(self) -> Path:
        return self.cwd or registry.PROJECT_ROOT

    def argv(self, *args: str) -> list[str]:
        return ["docker", "compose", *self.flags, "-p", self.project, "-f", self.file, *args]

    def run(self, *args: str, echo: bool = True, show: bool = False, timeout: float = 120, check: bool = False):
        from .shell import run

        return run(self.argv(*args), cwd=self.cwd, echo=echo, show=show, timeout=timeout, check=check)

    def down(self, grace: int = 1) -> None:
        """`down -v -t grace`를 조용히 (있든 없든)."""
        subprocess.run(self.argv("down", "-v", "-t", str(grace)), capture_output=True, timeout=120, cwd=self.workdir)

    def container(self, service: str = "app"):
        from .docker import Container, client

        found = client().containers.list(all=True, filters={"label": [
            f"com.docker.compose.project={self.project}", f"com.docker.compose.service={service}"]})
        if not found:
            raise LabError(f"❌ Compose 프로젝트 {self.project}에 {service} 컨테이너가 없다.")
        return Container(found[0], self.lab)

    def stop(self) -> None:
        self.down()
        self._remove_leftovers()
        registry.unregister(self)

    def _remove_leftovers(self) -> None:
        """`down`이 어떤 이유로든 남긴 컨테이너·네트워크를 프로젝트 레이블로 찾아 지운다."""
        from .docker import client

        label = {"label": [f"com.docker.compose.project={self.project}"]}
        try:
            c = client()
            for ctr in c.containers.list(all=True, filters=label):
                ctr.remove(force=True, v=True)
            for net in c.networks.list(filters=label):
                net.remove()
        except Exception:  # noqa: BLE001 - 정리는 최선을 다할 뿐, 엔진 오류로 레슨의 정리 셀을 멈추지 않는다
            pass

    def __str__(self) -> str:
        return f"Compose 프로젝트 {self.project}"
