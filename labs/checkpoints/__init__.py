"""레슨별 체크포인트 채점기. 모듈 이름은 레슨 이름을 따른다 (예: `start_here` → 00 레슨)."""

from . import start_here

__all__ = ["start_here"]
