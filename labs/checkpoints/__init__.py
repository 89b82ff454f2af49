"""레슨별 체크포인트 채점기. 모듈 이름은 레슨 이름을 따른다 (예: `start_here` → 00 레슨).

`labs.checkpoints.<모듈>`을 처음 쓸 때 불러온다: `import labs`가 모든 레슨의 채점기를 읽지 않아도 된다.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..korean import particle

MODULES = ("start_here", "asgi_servers", "wsgi_gunicorn", "pm2_nodejs", "nginx_reverse_proxy", "docker_images",
           "docker_compose", "health_and_shutdown", "twelve_factor_config", "tls_termination", "exercises")

__all__ = list(MODULES)


def __getattr__(name: str) -> ModuleType:
    if name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"체크포인트 모듈 {name!r}{particle(repr(name), '이')} 없다. 있는 것: {', '.join(MODULES)}")
